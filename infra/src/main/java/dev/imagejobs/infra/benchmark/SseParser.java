package dev.imagejobs.infra.benchmark;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental parser of a {@code text/event-stream}, fed the bytes of a response as they arrive
 * (a chunk may end anywhere, in the middle of a line or of a character). Follows the WHATWG rules:
 * lines end with LF, CRLF or CR; a blank line dispatches the event; {@code data:} lines accumulate;
 * lines starting with {@code :} are comments; one space after the colon is dropped; an event
 * without data is not dispatched. One parser per connection; not thread-safe.
 */
final class SseParser {

  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String type;
  private String lastEventId;
  private boolean afterCarriageReturn;
  private long comments;

  /** Parses {@code chunk}, handing every completed event to {@code events}. */
  void feed(byte[] chunk, Consumer<SseEvent> events) {
    for (byte b : chunk) {
      if (b == '\n' && afterCarriageReturn) {
        // The LF of a CRLF: the line already ended at the CR.
        afterCarriageReturn = false;
        continue;
      }
      afterCarriageReturn = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine(events);
      } else {
        line.write(b);
      }
    }
  }

  /** Comment lines seen so far (heartbeats and the like). */
  long comments() {
    return comments;
  }

  private void endLine(Consumer<SseEvent> events) {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (text.isEmpty()) {
      dispatch(events);
      return;
    }
    if (text.charAt(0) == ':') {
      comments++;
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        data.append(value).append('\n');
        hasData = true;
      }
      case "event" -> type = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      default -> {
        // retry: and unknown fields change nothing a measuring client needs.
      }
    }
  }

  private void dispatch(Consumer<SseEvent> events) {
    if (hasData) {
      data.setLength(data.length() - 1);
      events.accept(new SseEvent(lastEventId, type == null || type.isEmpty() ? "message" : type, data.toString()));
    }
    data.setLength(0);
    hasData = false;
    type = null;
  }
}
