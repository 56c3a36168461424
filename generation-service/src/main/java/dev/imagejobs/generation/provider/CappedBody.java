package dev.imagejobs.generation.provider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Collects an HTTP response body and gives up as soon as it grows past a cap, cancelling the
 * exchange: what a provider or a download sends is never read whole into memory unbounded.
 */
public final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final ByteArrayOutputStream content = new ByteArrayOutputStream();
  private final long maxBytes;
  private final Supplier<? extends Exception> tooLarge;
  private Flow.Subscription subscription;

  /**
   * @param maxBytes the most bytes the body may have
   * @param tooLarge the failure of a body past the cap
   */
  public CappedBody(long maxBytes, Supplier<? extends Exception> tooLarge) {
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      if (body.isDone()) {
        return;
      }
      if (content.size() + (long) buffer.remaining() > maxBytes) {
        subscription.cancel();
        body.completeExceptionally(tooLarge.get());
        return;
      }
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      content.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable failure) {
    body.completeExceptionally(failure instanceof IOException ? failure : new IOException(failure));
  }

  @Override
  public void onComplete() {
    body.complete(content.toByteArray());
  }
}
