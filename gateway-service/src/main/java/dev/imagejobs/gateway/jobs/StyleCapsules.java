package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.web.InvalidInputException;
import java.util.Comparator;
import java.util.List;
import org.springframework.stereotype.Component;

/** Looks up the style text of the capsule a request names. */
@Component
class StyleCapsules {
  private final StyleCapsuleSettings settings;

  StyleCapsules(StyleCapsuleSettings settings) {
    this.settings = settings;
  }

  /**
   * The style text of {@code id}, or {@code null} when the request names no capsule.
   *
   * @param field the field that named it, as errors name it
   * @throws InvalidInputException on {@code field} when no such capsule exists
   */
  String styleTextOf(String id, String field) {
    if (id == null) {
      return null;
    }
    String text = settings.capsules().get(id);
    if (text == null) {
      throw new InvalidInputException(field, "is not a known style capsule; see GET "
          + JobsController.STYLE_CAPSULES);
    }
    return text;
  }

  List<StyleCapsule> all() {
    return settings.capsules().entrySet().stream()
        .map(entry -> new StyleCapsule(entry.getKey(), entry.getValue()))
        .sorted(Comparator.comparing(StyleCapsule::id))
        .toList();
  }
}
