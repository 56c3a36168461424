package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.PagePosition;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The opaque {@code cursor} of job lists: where the previous page ended (creation time and job id
 * of its last job), base64url-encoded. Clients pass it back unchanged; its content is not API.
 */
final class ListCursor {
  private static final String VERSION = "1";

  private ListCursor() {}

  static String encode(PagePosition position) {
    String plain = VERSION + "|" + position.createdAt() + "|" + position.jobId();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws InvalidInputException on the {@code cursor} parameter when it is not one this API issued
   */
  static PagePosition decode(String cursor) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = plain.split("\\|", -1);
      if (parts.length == 3 && VERSION.equals(parts[0]) && Ids.isValid(parts[2])) {
        return new PagePosition(Instant.parse(parts[1]), parts[2]);
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      // Reported below like any other unusable cursor.
    }
    throw new InvalidInputException("cursor", "is not a cursor returned by this API");
  }
}
