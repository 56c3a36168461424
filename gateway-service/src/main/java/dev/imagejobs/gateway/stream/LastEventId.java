package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.web.InvalidInputException;
import java.util.regex.Pattern;

/**
 * Where a client resumes: the {@code Last-Event-ID} header a reconnecting {@code EventSource}
 * sends, else the {@code lastEventId} query parameter (for a first connection that continues from
 * a list), else the beginning.
 */
final class LastEventId {
  static final String HEADER = "Last-Event-ID";
  static final String PARAMETER = "lastEventId";
  private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");

  private LastEventId() {}

  /**
   * @return the id after which to resume, 0 to replay from the beginning
   * @throws InvalidInputException naming the header or parameter when the value is not an id this API sends
   */
  static long resumeAfter(String header, String parameter) {
    if (header != null && !header.isBlank()) {
      return parse(header.strip(), HEADER);
    }
    if (parameter != null) {
      return parse(parameter.strip(), PARAMETER);
    }
    return 0;
  }

  private static long parse(String value, String field) {
    if (!NUMBER.matcher(value).matches()) {
      throw new InvalidInputException(field, "must be the id of an event of this stream (a whole number)");
    }
    return Long.parseLong(value);
  }
}
