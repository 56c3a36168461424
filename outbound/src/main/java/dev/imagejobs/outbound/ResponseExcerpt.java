package dev.imagejobs.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.nio.AsyncEntityConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;

/**
 * Keeps the first bytes of a response body and reads past the rest, so a receiver answering with a
 * large page (an error page, a whole document) neither fills the memory nor fails the delivery.
 */
final class ResponseExcerpt implements AsyncEntityConsumer<byte[]> {
  private static final int WINDOW = 64 * 1024;

  private final int maxBytes;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private FutureCallback<byte[]> done;

  ResponseExcerpt(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void streamStart(EntityDetails entity, FutureCallback<byte[]> callback) {
    this.done = callback;
  }

  @Override
  public void updateCapacity(CapacityChannel channel) throws IOException {
    channel.update(WINDOW);
  }

  @Override
  public synchronized void consume(ByteBuffer data) {
    int keep = Math.min(data.remaining(), maxBytes - kept.size());
    if (keep > 0) {
      byte[] chunk = new byte[keep];
      data.get(chunk);
      kept.write(chunk, 0, keep);
    }
    data.position(data.limit());
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) {
    if (done != null) {
      done.completed(getContent());
    }
  }

  @Override
  public void failed(Exception cause) {
    if (done != null) {
      done.failed(cause);
    }
  }

  @Override
  public synchronized byte[] getContent() {
    return kept.toByteArray();
  }

  @Override
  public void releaseResources() {
    // Nothing held beyond the buffer, which goes with this consumer.
  }

  /**
   * The start of {@code body} as text: UTF-8 with malformed bytes replaced (the body may be cut in
   * the middle of a character, or not be UTF-8 at all), at most {@code maxChars} characters and never
   * half a surrogate pair.
   */
  static String text(byte[] body, int maxChars) {
    CharBuffer chars;
    try {
      chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("A replacing decoder does not fail", e);
    }
    if (chars.length() <= maxChars) {
      return chars.toString();
    }
    int end = Character.isHighSurrogate(chars.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return chars.subSequence(0, end).toString();
  }
}
