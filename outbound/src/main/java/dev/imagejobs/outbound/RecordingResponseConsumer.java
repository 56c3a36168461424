package dev.imagejobs.outbound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Reads a response into a {@link ResponseExcerpt} and remembers its status as soon as the head
 * arrives: a receiver that answered and then stalled or broke off in the body has still answered,
 * and its status is the outcome of the delivery.
 */
final class RecordingResponseConsumer implements AsyncResponseConsumer<Message<HttpResponse, byte[]>> {
  private final ResponseExcerpt excerpt;
  private final BasicResponseConsumer<byte[]> delegate;
  private volatile int status;

  RecordingResponseConsumer(int maxBodyBytes) {
    this.excerpt = new ResponseExcerpt(maxBodyBytes);
    this.delegate = new BasicResponseConsumer<>(excerpt);
  }

  /** The status of the final response, or 0 while none has arrived. */
  int status() {
    return status;
  }

  /** The part of the body kept so far. */
  byte[] bodySoFar() {
    return excerpt.getContent();
  }

  @Override
  public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
      FutureCallback<Message<HttpResponse, byte[]>> callback) throws HttpException, IOException {
    status = response.getCode();
    delegate.consumeResponse(response, entity, context, callback);
  }

  @Override
  public void informationResponse(HttpResponse response, HttpContext context) throws HttpException, IOException {
    delegate.informationResponse(response, context);
  }

  @Override
  public void updateCapacity(CapacityChannel channel) throws IOException {
    delegate.updateCapacity(channel);
  }

  @Override
  public void consume(ByteBuffer data) throws IOException {
    delegate.consume(data);
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
    delegate.streamEnd(trailers);
  }

  @Override
  public void failed(Exception cause) {
    delegate.failed(cause);
  }

  @Override
  public void releaseResources() {
    delegate.releaseResources();
  }
}
