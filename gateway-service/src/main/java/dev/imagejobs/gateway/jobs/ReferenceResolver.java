package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobEdit;
import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.references.UploadedReferences;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.ModelCatalogue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns the reference images a request names into what the job's spec carries (where each image's
 * bytes are, its type, size and digest), and refuses with a {@code 422} problem, before anything is
 * written, references that are not the tenant's, jobs without an image, and what the job's model
 * cannot take ({@link ModelCatalogue}). An end frame's start frame (named, or the shot's latest
 * completed one) comes first, so the model matches the two frames. An edit's source image and mask
 * ({@link #edit}) are resolved the same way; the source goes to the model before every reference, so
 * it counts against the model's limits, and the mask, which never goes to the model, must be a PNG
 * of the source's size.
 */
@Component
class ReferenceResolver {
  static final String TITLE = "Unusable reference images";

  private final ReadModel readModel;
  private final UploadedReferences uploads;
  private final ModelCatalogue catalogue;

  ReferenceResolver(ReadModel readModel, UploadedReferences uploads, ModelCatalogue catalogue) {
    this.readModel = readModel;
    this.uploads = uploads;
    this.catalogue = catalogue;
  }

  /**
   * @param fieldPrefix put before field names in errors, e.g. {@code jobs[2].}
   * @param last references sent after the request's (its style capsule's)
   * @param edit the request's edit, as {@link #edit} found it, or null: its source is sent before
   *     every reference, so the model's limits count it
   * @return the start frame, if asked for, then the references in request order, then {@code last};
   *     errors with a 400 or 422 problem
   */
  Mono<List<JobReference>> resolve(String tenantId, CreateJobRequest request, String model, String fieldPrefix,
      List<JobReference> last, FoundEdit edit) {
    JobReference sentFirst = edit == null ? null : edit.edit().source();
    return startFrame(tenantId, request, fieldPrefix)
        .flatMap(start -> resolve(tenantId, request.references(), model, fieldPrefix, start, last, sentFirst));
  }

  /**
   * The source image and mask of an EDIT request, or empty for every other request. Refuses with a
   * 422 problem a model that does not edit, a source or mask that is not the tenant's, has no image
   * or belongs to another project, and a mask that is not a PNG of the source's size.
   */
  Mono<Optional<FoundEdit>> edit(String tenantId, CreateJobRequest request, String model, String fieldPrefix) {
    EditRequest edit = request.edit();
    if (edit == null) {
      return Mono.just(Optional.empty());
    }
    String field = fieldPrefix + "edit";
    Optional<String> unable = catalogue.capabilitiesOf(model).editRefusal(model);
    if (unable.isPresent()) {
      return Mono.error(unusable(List.of(new FieldMessage(field, unable.get()))));
    }
    checkOneNamed(edit.source(), field + ".source");
    if (edit.mask() != null) {
      checkOneNamed(edit.mask(), field + ".mask");
    }
    Mono<Optional<Resolved>> mask = edit.mask() == null
        ? Mono.just(Optional.empty())
        : resolve(tenantId, edit.mask()).map(Optional::of).defaultIfEmpty(Optional.empty());
    return Mono.zip(resolve(tenantId, edit.source()).map(Optional::of).defaultIfEmpty(Optional.empty()), mask)
        .flatMap(found -> {
          List<FieldMessage> problems = new ArrayList<>();
          Resolved source = usable(found.getT1(), edit.source(), request.projectId(), field + ".source", problems);
          Resolved masked = edit.mask() == null ? null
              : usable(found.getT2(), edit.mask(), request.projectId(), field + ".mask", problems);
          if (source != null && masked != null) {
            JobReference image = source.reference();
            JobReference shape = masked.reference();
            if (!"image/png".equals(shape.contentType())) {
              problems.add(new FieldMessage(field + ".mask", "must be a PNG, not " + shape.contentType()));
            } else if (Boolean.FALSE.equals(masked.alpha())) {
              problems.add(new FieldMessage(field + ".mask", "has no alpha channel: its opaque pixels (alpha 128 or "
                  + "more) mark the region to change"));
            } else if ("image/webp".equals(image.contentType())) {
              problems.add(new FieldMessage(field + ".source", "is a WebP image, whose pixels outside a mask "
                  + "cannot be kept; a masked edit needs a PNG or JPEG source"));
            } else if (shape.width() != image.width() || shape.height() != image.height()) {
              problems.add(new FieldMessage(field + ".mask", "is " + shape.width() + "x" + shape.height()
                  + "; the source image is " + image.width() + "x" + image.height()));
            }
          }
          if (!problems.isEmpty()) {
            return Mono.error(unusable(problems));
          }
          return Mono.just(Optional.of(new FoundEdit(
              new JobEdit(source.reference(), masked == null ? null : masked.reference()), source.job())));
        });
  }

  /** The image found for an edit, or null after adding why it cannot be used to {@code problems}. */
  private static Resolved usable(Optional<Resolved> found, ReferenceRequest requested, String projectId, String field,
      List<FieldMessage> problems) {
    if (found.isEmpty()) {
      problems.add(new FieldMessage(field, unknown(requested)));
      return null;
    }
    Resolved resolved = found.get();
    if (resolved.reason() != null) {
      problems.add(new FieldMessage(field, resolved.reason()));
      return null;
    }
    if (!resolved.projectId().equals(projectId)) {
      problems.add(new FieldMessage(field, "belongs to project " + resolved.projectId() + ", not " + projectId));
      return null;
    }
    return resolved;
  }

  private static void checkOneNamed(ReferenceRequest reference, String field) {
    if ((reference.jobId() == null) == (reference.referenceId() == null)) {
      throw new InvalidInputException(field, "must name exactly one of jobId and referenceId");
    }
  }

  /** The end frame's start frame, when the request asks for it; empty list otherwise. */
  private Mono<List<JobReference>> startFrame(String tenantId, CreateJobRequest request, String fieldPrefix) {
    if (request.startFrameJobId() != null) {
      String field = fieldPrefix + "startFrameJobId";
      return readModel.find(request.startFrameJobId())
          .filter(row -> row.tenantId().equals(tenantId))
          .switchIfEmpty(Mono.error(() -> unusable(List.of(new FieldMessage(field,
              "no job " + request.startFrameJobId())))))
          .flatMap(row -> {
            if (!"START_FRAME".equals(row.jobType()) || !row.projectId().equals(request.projectId())
                || !row.sceneId().equals(request.sceneId()) || !row.shotId().equals(request.shotId())) {
              return Mono.error(unusable(List.of(new FieldMessage(field, "job " + row.jobId()
                  + " is not a start frame of project " + request.projectId() + ", scene " + request.sceneId()
                  + ", shot " + request.shotId()))));
            }
            if (row.image().isEmpty()) {
              return Mono.error(unusable(List.of(new FieldMessage(field, "start frame " + row.jobId()
                  + " has no image (it is " + row.status().wireName() + ")"))));
            }
            return Mono.just(List.of(ofJob(row)));
          });
    }
    if (Boolean.TRUE.equals(request.matchStartFrame())) {
      return readModel.framesOfShot(tenantId, request.projectId(), request.sceneId(), request.shotId())
          .filter(row -> "START_FRAME".equals(row.jobType()) && row.image().isPresent())
          // The selected start frame (one whose variant was chosen), else the latest completed.
          .sort(Comparator.comparing((JobRow row) -> row.selectedVariant() != null)
              .thenComparing(JobRow::completedAt).thenComparing(JobRow::createdAt).reversed())
          .next()
          .map(row -> List.of(ofJob(row)))
          .switchIfEmpty(Mono.error(() -> unusable(List.of(new FieldMessage(fieldPrefix + "matchStartFrame",
              "scene " + request.sceneId() + ", shot " + request.shotId() + " of project " + request.projectId()
                  + " has no completed start frame")))));
    }
    return Mono.just(List.of());
  }

  private Mono<List<JobReference>> resolve(String tenantId, List<ReferenceRequest> requested, String model,
      String fieldPrefix, List<JobReference> first, List<JobReference> last, JobReference sentFirst) {
    if (requested == null || requested.isEmpty()) {
      List<JobReference> all = new ArrayList<>(first);
      all.addAll(last);
      return checked(all, sentFirst, model, fieldPrefix);
    }
    for (int i = 0; i < requested.size(); i++) {
      checkOneNamed(requested.get(i), field(fieldPrefix, i));
    }
    List<FieldMessage> problems = new ArrayList<>();
    return Flux.range(0, requested.size())
        .concatMap(i -> resolve(tenantId, requested.get(i))
            .map(Optional::of)
            .switchIfEmpty(Mono.fromSupplier(() -> {
              problems.add(new FieldMessage(field(fieldPrefix, i), unknown(requested.get(i))));
              return Optional.empty();
            }))
            .flatMap(found -> found.isPresent() && found.get().reason() != null
                ? Mono.fromSupplier(() -> {
                  problems.add(new FieldMessage(field(fieldPrefix, i), found.get().reason()));
                  return Optional.<Resolved>empty();
                })
                : Mono.just(found)))
        .collectList()
        .flatMap(resolved -> {
          if (!problems.isEmpty()) {
            return Mono.error(unusable(problems));
          }
          List<JobReference> references = new ArrayList<>(first);
          resolved.forEach(found -> references.add(found.orElseThrow().reference()));
          references.addAll(last);
          return checked(references, sentFirst, model, fieldPrefix);
        });
  }

  /** The references, unless the model cannot take them (with {@code sentFirst}, an edit's source, before them). */
  private Mono<List<JobReference>> checked(List<JobReference> references, JobReference sentFirst, String model,
      String fieldPrefix) {
    List<JobReference> sent = new ArrayList<>();
    if (sentFirst != null) {
      sent.add(sentFirst);
    }
    sent.addAll(references);
    Optional<String> refusal = catalogue.capabilitiesOf(model).refusal(model, sent.stream()
        .map(reference -> new ModelCatalogue.ReferenceShape(reference.contentType(), reference.sizeBytes()))
        .toList());
    return refusal.isPresent()
        ? Mono.error(unusable(List.of(new FieldMessage(fieldPrefix + "references", refusal.get()))))
        : Mono.just(List.copyOf(references));
  }

  private static JobReference ofJob(JobRow row) {
    JobRow.StoredImage image = row.image().orElseThrow();
    return new JobReference(JobReference.JOB, row.jobId(), image.storagePath(), image.contentType(),
        image.sizeBytes(), image.width(), image.height(), image.sha256());
  }

  private Mono<Resolved> resolve(String tenantId, ReferenceRequest reference) {
    if (reference.jobId() != null) {
      return readModel.find(reference.jobId())
          .filter(row -> row.tenantId().equals(tenantId))
          .map(row -> row.image().isEmpty()
              ? new Resolved(null, "job " + row.jobId() + " has no image (it is " + row.status().wireName() + ")",
                  row.projectId(), row, null)
              : new Resolved(ofJob(row), null, row.projectId(), row, null));
    }
    return uploads.find(tenantId, reference.referenceId())
        .map(upload -> new Resolved(new JobReference(JobReference.UPLOAD, upload.referenceId(), upload.storagePath(),
            upload.contentType(), upload.sizeBytes(), upload.width(), upload.height(), upload.sha256()), null,
            upload.projectId(), null, upload.hasAlpha()));
  }

  private static String unknown(ReferenceRequest reference) {
    return reference.jobId() != null ? "no job " + reference.jobId() : "no reference image " + reference.referenceId();
  }

  private static String field(String prefix, int index) {
    return prefix + "references[" + index + "]";
  }

  static ErrorResponseException unusable(List<FieldMessage> errors) {
    return InvalidInputException.unprocessable(TITLE, "The reference images cannot be used", errors);
  }

  /**
   * A reference found: what the spec carries, or why it cannot be used.
   *
   * @param projectId the project it belongs to
   * @param job the completed job whose image it is, or null for an uploaded image
   * @param alpha whether it has an alpha channel, as recorded at upload; null when not known (a
   *     job's image, an upload recorded before), then generation checks it
   */
  private record Resolved(JobReference reference, String reason, String projectId, JobRow job, Boolean alpha) {}

  /**
   * An edit request's images, checked.
   *
   * @param edit the source and mask as the spec carries them
   * @param sourceJob the job whose image is edited, or null when the source was uploaded
   */
  record FoundEdit(JobEdit edit, JobRow sourceJob) {}
}
