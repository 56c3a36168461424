package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.references.UploadedReferences;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.JobStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns the reference images a request names into what the job's spec carries (where each image's
 * bytes are, its type, size and digest), and refuses with a {@code 422} problem, before anything is
 * written, references that are not the tenant's, jobs without an image, and what the job's model
 * cannot take ({@link ModelCatalogue}). An end frame's start frame (named, or the shot's latest
 * completed one) comes first, so the model matches the two frames.
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
   * @return the start frame, if asked for, then the references in request order, then {@code last};
   *     errors with a 400 or 422 problem
   */
  Mono<List<JobReference>> resolve(String tenantId, CreateJobRequest request, String model, String fieldPrefix,
      List<JobReference> last) {
    return startFrame(tenantId, request, fieldPrefix)
        .flatMap(start -> resolve(tenantId, request.references(), model, fieldPrefix, start, last));
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
            if (row.status() != JobStatus.COMPLETED || row.storagePath() == null) {
              return Mono.error(unusable(List.of(new FieldMessage(field, "start frame " + row.jobId()
                  + " has no image (it is " + row.status().wireName() + ")"))));
            }
            return Mono.just(List.of(ofJob(row)));
          });
    }
    if (Boolean.TRUE.equals(request.matchStartFrame())) {
      return readModel.framesOfShot(tenantId, request.projectId(), request.sceneId(), request.shotId())
          .filter(row -> "START_FRAME".equals(row.jobType()) && row.status() == JobStatus.COMPLETED
              && row.storagePath() != null)
          .sort(Comparator.comparing(JobRow::completedAt).thenComparing(JobRow::createdAt).reversed())
          .next()
          .map(row -> List.of(ofJob(row)))
          .switchIfEmpty(Mono.error(() -> unusable(List.of(new FieldMessage(fieldPrefix + "matchStartFrame",
              "scene " + request.sceneId() + ", shot " + request.shotId() + " of project " + request.projectId()
                  + " has no completed start frame")))));
    }
    return Mono.just(List.of());
  }

  private Mono<List<JobReference>> resolve(String tenantId, List<ReferenceRequest> requested, String model,
      String fieldPrefix, List<JobReference> first, List<JobReference> last) {
    if (requested == null || requested.isEmpty()) {
      List<JobReference> all = new ArrayList<>(first);
      all.addAll(last);
      return checked(all, model, fieldPrefix);
    }
    for (int i = 0; i < requested.size(); i++) {
      ReferenceRequest reference = requested.get(i);
      if ((reference.jobId() == null) == (reference.referenceId() == null)) {
        throw new InvalidInputException(field(fieldPrefix, i), "must name exactly one of jobId and referenceId");
      }
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
          return checked(references, model, fieldPrefix);
        });
  }

  /** The references, unless the model cannot take them. */
  private Mono<List<JobReference>> checked(List<JobReference> references, String model, String fieldPrefix) {
    Optional<String> refusal = catalogue.capabilitiesOf(model).refusal(model, references.stream()
        .map(reference -> new ModelCatalogue.ReferenceShape(reference.contentType(), reference.sizeBytes()))
        .toList());
    return refusal.isPresent()
        ? Mono.error(unusable(List.of(new FieldMessage(fieldPrefix + "references", refusal.get()))))
        : Mono.just(List.copyOf(references));
  }

  private static JobReference ofJob(JobRow row) {
    return new JobReference(JobReference.JOB, row.jobId(), row.storagePath(), row.contentType(), row.sizeBytes(),
        row.width(), row.height(), row.sha256());
  }

  private Mono<Resolved> resolve(String tenantId, ReferenceRequest reference) {
    if (reference.jobId() != null) {
      return readModel.find(reference.jobId())
          .filter(row -> row.tenantId().equals(tenantId))
          .map(row -> row.status() != JobStatus.COMPLETED || row.storagePath() == null
              ? new Resolved(null, "job " + row.jobId() + " has no image (it is " + row.status().wireName() + ")")
              : new Resolved(ofJob(row), null));
    }
    return uploads.find(tenantId, reference.referenceId())
        .map(upload -> new Resolved(new JobReference(JobReference.UPLOAD, upload.referenceId(), upload.storagePath(),
            upload.contentType(), upload.sizeBytes(), upload.width(), upload.height(), upload.sha256()), null));
  }

  private static String unknown(ReferenceRequest reference) {
    return reference.jobId() != null ? "no job " + reference.jobId() : "no reference image " + reference.referenceId();
  }

  private static String field(String prefix, int index) {
    return prefix + "references[" + index + "]";
  }

  static ErrorResponseException unusable(List<FieldMessage> errors) {
    ProblemDetail problem = InvalidInputException.problem(errors);
    problem.setStatus(HttpStatus.UNPROCESSABLE_CONTENT);
    problem.setTitle(TITLE);
    problem.setDetail("The reference images cannot be used");
    return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, problem, null);
  }

  /** A reference found: what the spec carries, or why it cannot be used. */
  private record Resolved(JobReference reference, String reason) {}
}
