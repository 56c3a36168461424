package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.outbound.OutboundHttpClients;
import dev.imagejobs.outbound.OutboundUrlPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.AsyncEntityConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;

/**
 * Turns a provider's artifact into bytes: as given, decoded from base64, or downloaded from the URL
 * the provider answered with. Downloads are checked against the {@link OutboundUrlPolicy} and made
 * by an HTTP client whose only way to find an address is that policy, so the address connected to
 * is the address checked: a host that resolves to a public address for the check and to an
 * internal one a moment later (DNS rebinding) is refused. Redirects are not followed; downloads are
 * asynchronous and capped in size; their failures are classified like the provider's own, since the
 * image is not ours until it is staged. The client starts with the first download; {@link #close()}
 * stops it.
 */
class ArtifactReader implements AutoCloseable {
  private static final int MAX_CONNECTIONS = 64;

  private final OutboundUrlPolicy urls;
  private final Duration timeout;
  private final long maxBytes;
  private CloseableHttpAsyncClient http;
  private boolean closed;

  ArtifactReader(OutboundUrlPolicy urls, Duration timeout, long maxBytes) {
    this.urls = urls;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<ArtifactBytes> read(ImageArtifact artifact) {
    if (artifact instanceof ImageArtifact.Bytes bytes) {
      return CompletableFuture.completedFuture(new ArtifactBytes(bytes.content(), bytes.contentType()));
    }
    if (artifact instanceof ImageArtifact.Base64 base64) {
      try {
        // Strict apart from line breaks: a lenient decoder would turn corrupt data into a corrupt image.
        byte[] decoded = Base64.getDecoder().decode(base64.data().replace("\r", "").replace("\n", ""));
        return CompletableFuture.completedFuture(new ArtifactBytes(decoded, base64.contentType()));
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(
            new ProviderException(ErrorClass.PERMANENT, "INVALID_BASE64", "The provider's image data is not base64", e));
      }
    }
    return download((ImageArtifact.Url) artifact);
  }

  private CompletableFuture<ArtifactBytes> download(ImageArtifact.Url artifact) {
    URI url = artifact.url();
    try {
      urls.check(url);
    } catch (IllegalArgumentException e) {
      return refused(e);
    }
    CompletableFuture<Message<HttpResponse, byte[]>> answer = new CompletableFuture<>();
    Future<Message<HttpResponse, byte[]>> exchange = client().execute(
        AsyncRequestBuilder.get(url).build(),
        new BasicResponseConsumer<>(new CappedEntity(maxBytes)),
        OutboundHttpClients.completing(answer));
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((result, failure) -> {
          if (failure != null) {
            exchange.cancel(true);
          }
        })
        .handle((response, failure) -> {
          if (failure != null) {
            throw new CompletionException(downloadFailure(artifact, failure));
          }
          int status = response.getHead().getCode();
          if (status / 100 != 2) {
            boolean temporary = status == 408 || status == 429 || status >= 500;
            throw new ProviderException(temporary ? ErrorClass.TEMPORARY : ErrorClass.PERMANENT,
                "ARTIFACT_HTTP_" + status, "Downloading the image from " + OutboundUrlPolicy.redacted(url)
                    + " answered " + status);
          }
          Header header = response.getHead().getFirstHeader("Content-Type");
          String contentType = artifact.contentType() != null
              ? artifact.contentType()
              : header == null ? null : mediaType(header.getValue());
          return new ArtifactBytes(response.getBody(), contentType);
        });
  }

  private static CompletableFuture<ArtifactBytes> refused(IllegalArgumentException reason) {
    // Not the address a host resolved to: it comes from our own name servers, and the message reaches the tenant.
    String why = reason.getCause() instanceof OutboundUrlPolicy.RefusedAddressException refused
        ? refused.withoutAddress() : reason.getMessage();
    return CompletableFuture.failedFuture(new ProviderException(ErrorClass.PERMANENT, "INVALID_ARTIFACT_URL",
        "The provider's image URL was refused: " + why, reason));
  }

  private synchronized CloseableHttpAsyncClient client() {
    if (closed) {
      throw new IllegalStateException("The artifact reader is closed");
    }
    if (http == null) {
      http = OutboundHttpClients.builder(urls, timeout, timeout, null, MAX_CONNECTIONS).build();
      http.start();
    }
    return http;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (http != null) {
      http.close(CloseMode.GRACEFUL);
    }
  }

  private static ProviderException downloadFailure(ImageArtifact.Url artifact, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    for (Throwable link = cause; link != null; link = link.getCause()) {
      if (link instanceof ProviderException known) {
        return known;
      }
      if (link instanceof OutboundUrlPolicy.RefusedAddressException refused) {
        return new ProviderException(ErrorClass.PERMANENT, "INVALID_ARTIFACT_URL",
            "The provider's image URL was refused: " + refused.withoutAddress(), refused);
      }
      // Cancelled: the client closed while the download ran, treated as the timeout it cut short.
      if (link instanceof TimeoutException || link instanceof SocketTimeoutException
          || link instanceof CancellationException) {
        return new ProviderException(ErrorClass.TIMEOUT, "ARTIFACT_DOWNLOAD_TIMEOUT",
            "Downloading the image from " + OutboundUrlPolicy.redacted(artifact.url()) + " timed out", link);
      }
    }
    return new ProviderException(ErrorClass.TEMPORARY, "ARTIFACT_DOWNLOAD_FAILED",
        "Downloading the image from " + OutboundUrlPolicy.redacted(artifact.url()) + " failed: " + cause, cause);
  }

  private static String mediaType(String header) {
    int parameters = header.indexOf(';');
    return (parameters < 0 ? header : header.substring(0, parameters)).trim();
  }

  /**
   * Collects a response body, failing as soon as it grows past the cap. Its content type is read
   * from the response head by the caller; parameters such as {@code charset=binary} are not its
   * business.
   */
  private static final class CappedEntity implements AsyncEntityConsumer<byte[]> {
    private static final int WINDOW = 64 * 1024;
    private final long maxBytes;
    private final ByteArrayOutputStream content = new ByteArrayOutputStream();
    private FutureCallback<byte[]> done;

    CappedEntity(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public void streamStart(EntityDetails entity, FutureCallback<byte[]> callback) throws IOException {
      this.done = callback;
      if (entity.getContentLength() > maxBytes) {
        throw new ImageTooLargeException(maxBytes);
      }
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      channel.update(WINDOW);
    }

    @Override
    public void consume(ByteBuffer data) throws IOException {
      if (content.size() + (long) data.remaining() > maxBytes) {
        throw new ImageTooLargeException(maxBytes);
      }
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      content.write(chunk);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
      if (done != null) {
        done.completed(content.toByteArray());
      }
    }

    @Override
    public void failed(Exception cause) {
      if (done != null) {
        done.failed(cause);
      }
    }

    @Override
    public byte[] getContent() {
      return content.toByteArray();
    }

    @Override
    public void releaseResources() {
      // Nothing held beyond the buffer, which goes with this consumer.
    }
  }

  /** Thrown from the body consumer: the client fails the exchange with it. */
  private static final class ImageTooLargeException extends IOException {
    ImageTooLargeException(long maxBytes) {
      super("The provider's image is larger than " + maxBytes + " bytes",
          new ProviderException(ErrorClass.PERMANENT, "ARTIFACT_TOO_LARGE",
              "The provider's image is larger than " + maxBytes + " bytes"));
    }
  }
}
