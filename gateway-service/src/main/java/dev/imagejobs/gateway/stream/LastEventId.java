package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.web.InvalidInputException;
import java.util.regex.Pattern;

/**
 * Where a client resumes: the {@code Last-Event-ID} header a reconnecting {@code EventSource}
 * sends, else the {@code lastEventId} query parameter (for a first connection that continues from
 * a list), else the beginning. A job stream's ids are the job's event numbers; a project stream's
 * are positions ({@link EventPosition#token()}), which clients pass back as they got them.
 */
final class LastEventId {
  static final String HEADER = "Last-Event-ID";
  static final String PARAMETER = "lastEventId";
  private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");

  private LastEventId() {}

  /**
   * The job event after which to resume, 0 to replay from the beginning.
   *
   * @throws InvalidInputException naming the header or parameter when the value is not an id of a job stream
   */
  static long jobEventAfter(String header, String parameter) {
    String value = value(header, parameter);
    if (value == null) {
      return 0;
    }
    if (!NUMBER.matcher(value).matches()) {
      throw invalid(header, "must be the id of an event of this stream (a whole number)");
    }
    return Long.parseLong(value);
  }

  /**
   * The position after which to resume, {@link EventPosition#START} to replay from the beginning.
   *
   * @throws InvalidInputException naming the header or parameter when the value is not an id of a project stream
   */
  static EventPosition positionAfter(String header, String parameter) {
    String value = value(header, parameter);
    if (value == null) {
      return EventPosition.START;
    }
    return EventPosition.parse(value)
        .orElseThrow(() -> invalid(header, "must be the id of an event of this stream, as it was sent"));
  }

  private static String value(String header, String parameter) {
    if (header != null && !header.isBlank()) {
      return header.strip();
    }
    return parameter == null ? null : parameter.strip();
  }

  private static InvalidInputException invalid(String header, String message) {
    return new InvalidInputException(header != null && !header.isBlank() ? HEADER : PARAMETER, message);
  }
}
