package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.web.Ids;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The style capsules requests may name, id to style text. An entry can be added or replaced from
 * the environment, e.g. {@code IMAGEJOBS_STYLECAPSULES_CAPSULES_NOIR="deep shadows, 1940s"}.
 *
 * @param capsules style text by capsule id
 */
@ConfigurationProperties("imagejobs.style-capsules")
record StyleCapsuleSettings(Map<String, String> capsules) {
  static final int MAX_STYLE_TEXT_LENGTH = 2000;

  StyleCapsuleSettings {
    capsules = capsules == null ? Map.of() : Map.copyOf(capsules);
    capsules.forEach((id, text) -> {
      if (!Ids.isValid(id)) {
        throw new IllegalArgumentException("Style capsule id '" + id + "' " + Ids.MESSAGE);
      }
      if (text == null || text.isBlank() || text.length() > MAX_STYLE_TEXT_LENGTH || text.indexOf('\u0000') >= 0) {
        throw new IllegalArgumentException(
            "Style capsule '" + id + "' needs a text of 1 to " + MAX_STYLE_TEXT_LENGTH + " characters");
      }
    });
  }
}
