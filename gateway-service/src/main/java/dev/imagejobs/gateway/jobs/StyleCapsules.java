package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.references.UploadedReferences;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.InvalidInputException;
import java.util.Comparator;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The capsule a request names: the project's own capsule of that id (its latest version), else the
 * built-in capsule, with the style text and the reference images that go into the job's spec.
 */
@Component
class StyleCapsules {
  private final StyleCapsuleSettings settings;
  private final ProjectCapsules projects;
  private final UploadedReferences uploads;

  StyleCapsules(StyleCapsuleSettings settings, ProjectCapsules projects, UploadedReferences uploads) {
    this.settings = settings;
    this.projects = projects;
    this.uploads = uploads;
  }

  /**
   * The capsule {@code capsuleId} as a job of the project uses it: none when the request names none.
   *
   * @param field the field that named it, as errors name it
   * @return errors with a 400 when no such capsule exists, a 422 when one of its images is gone
   */
  Mono<Capsule> resolve(String tenantId, String projectId, String capsuleId, String field) {
    if (capsuleId == null) {
      return Mono.just(Capsule.NONE);
    }
    if (isBuiltIn(capsuleId)) {
      // A project capsule never has a built-in one's id: no need to look.
      return Mono.just(new Capsule(settings.capsules().get(capsuleId), null, List.of()));
    }
    return projects.latest(tenantId, projectId, capsuleId)
        .flatMap(version -> Flux.fromIterable(version.referenceIds())
            .concatMap(referenceId -> uploads.find(tenantId, referenceId)
                .switchIfEmpty(Mono.error(() -> ReferenceResolver.unusable(List.of(new FieldMessage(field,
                    "style capsule " + capsuleId + " version " + version.version() + " sends reference image "
                        + referenceId + ", which no longer exists; update the capsule"))))))
            .map(upload -> new JobReference(JobReference.CAPSULE, upload.referenceId(), upload.storagePath(),
                upload.contentType(), upload.sizeBytes(), upload.width(), upload.height(), upload.sha256()))
            .collectList()
            .map(references -> new Capsule(version.styleText(), version.version(), references)))
        .switchIfEmpty(Mono.fromSupplier(() -> new Capsule(styleTextOf(capsuleId, field), null, List.of())));
  }

  /** Whether {@code capsuleId} is a built-in capsule's. */
  boolean isBuiltIn(String capsuleId) {
    return settings.capsules().containsKey(capsuleId);
  }

  /**
   * The style text of {@code id}, or {@code null} when the request names no capsule.
   *
   * @param field the field that named it, as errors name it
   * @throws InvalidInputException on {@code field} when no such capsule exists
   */
  private String styleTextOf(String id, String field) {
    if (id == null) {
      return null;
    }
    String text = settings.capsules().get(id);
    if (text == null) {
      throw new InvalidInputException(field, "is not a style capsule of the project nor a built-in one; see GET "
          + StyleCapsulesController.PROJECT_CAPSULES);
    }
    return text;
  }

  /**
   * What a job uses of a capsule.
   *
   * @param styleText its text, null when the job names no capsule
   * @param version the project capsule's version, null for a built-in capsule or none
   * @param references its reference images, sent after the job's own
   */
  record Capsule(String styleText, Integer version, List<JobReference> references) {
    static final Capsule NONE = new Capsule(null, null, List.of());
  }

  List<StyleCapsule> all() {
    return settings.capsules().entrySet().stream()
        .map(entry -> new StyleCapsule(entry.getKey(), entry.getValue()))
        .sorted(Comparator.comparing(StyleCapsule::id))
        .toList();
  }
}
