package dev.imagejobs.gateway.idempotency;

import dev.imagejobs.gateway.web.InvalidInputException;
import java.util.regex.Pattern;

/**
 * A client's idempotency key. The draft defines the header as a structured-field string
 * ({@code "..."}); a bare token is accepted too, since many clients send one.
 *
 * @param value the key without quotes: visible ASCII except {@code "} and {@code \}
 */
public record IdempotencyKey(String value) {
  /** The request header. */
  public static final String HEADER = "Idempotency-Key";

  private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  /**
   * @throws InvalidInputException naming the header when the value is empty, too long or has other characters
   */
  static IdempotencyKey parse(String header, int maxLength) {
    String value = header.strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (value.isEmpty() || value.length() > maxLength || !VISIBLE_ASCII.matcher(value).matches()) {
      throw new InvalidInputException(HEADER, "must be 1 to " + maxLength
          + " visible ASCII characters other than '\"' and '\\', optionally in double quotes");
    }
    return new IdempotencyKey(value);
  }
}
