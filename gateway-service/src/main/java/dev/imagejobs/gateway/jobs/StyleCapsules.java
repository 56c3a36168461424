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
   * @throws InvalidInputException on the {@code styleCapsuleId} field when no such capsule exists
   */
  String styleTextOf(String id) {
    if (id == null) {
      return null;
    }
    String text = settings.capsules().get(id);
    if (text == null) {
      throw new InvalidInputException("styleCapsuleId", "is not a known style capsule; see GET "
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
