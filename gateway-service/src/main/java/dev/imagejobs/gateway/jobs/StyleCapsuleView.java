package dev.imagejobs.gateway.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A style capsule as the API shows it: a project's (at its latest version) or a built-in one.
 *
 * @param capsuleId what requests send as {@code styleCapsuleId}
 * @param projectId its project; null for a built-in capsule
 * @param version its latest version; null for a built-in capsule
 * @param styleText the style added to the prompt
 * @param referenceIds the uploaded reference images sent with every job that uses it
 * @param builtIn whether it is one of the service's own capsules
 * @param createdAt when this version was written; null for a built-in capsule
 */
record StyleCapsuleView(String capsuleId, String projectId, Integer version, String styleText,
    List<String> referenceIds, boolean builtIn, Instant createdAt) {

  static StyleCapsuleView of(ProjectCapsules.CapsuleVersion version) {
    return new StyleCapsuleView(version.capsuleId(), version.projectId(), version.version(), version.styleText(),
        version.referenceIds(), false, version.createdAt());
  }

  static StyleCapsuleView of(StyleCapsule builtIn) {
    return new StyleCapsuleView(builtIn.id(), null, null, builtIn.styleText(), List.of(), true, null);
  }
}
