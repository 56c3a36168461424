package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobEdit;
import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.JobVariant;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * A job as the API shows it, in responses and as the data of stream events: the read-model row,
 * with the image once the job completed. {@code eventSeq} is the number of the job's last event
 * the view reflects, so a client holding two views of one job keeps the higher.
 */
public record JobView(
    String jobId,
    String status,
    String jobType,
    @Schema(allowableValues = {"high", "normal", "low"}) String priority,
    @Schema(description = "The batch the job was created in; null for a job created alone") String batchId,
    @Schema(description = "The reference images sent with the prompt, in order") List<Reference> references,
    @Schema(description = "EDIT jobs: the image changed and the mask; null for every other job") Edit edit,
    @Schema(description = "How many images the job asked for (variants), 1 unless it asked for more") int variantCount,
    @Schema(description = "A job of several variants: each variant, its status and cost, once generation ended; "
        + "empty otherwise") List<Variant> variants,
    @Schema(description = "The variant chosen with POST …/select, whose image the job's image is; null until one is")
    Integer selectedVariant,
    String projectId,
    String branchId,
    String sceneId,
    String shotId,
    String assetId,
    String prompt,
    String styleCapsuleId,
    @Schema(description = "The version of the project's style capsule the job used; null for a built-in capsule or none")
    Integer styleCapsuleVersion,
    String aspectRatio,
    String imageSize,
    String provider,
    String model,
    int attemptCount,
    int totalAttemptCount,
    int retryCount,
    boolean cancelRequested,
    String failureStage,
    String errorClass,
    String errorCode,
    String errorMessage,
    long estimatedCostMicros,
    Long actualCostMicros,
    Long totalActualCostMicros,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    Instant updatedAt,
    int eventSeq,
    Image image) {

  /** The canonical URL of a job. */
  public static String location(String jobId) {
    return JobsController.JOBS + "/" + jobId;
  }

  public static JobView of(JobRow row) {
    Image image = row.image()
        .map(shown -> new Image(location(row.jobId()) + "/image", shown.contentType(), shown.sizeBytes(),
            shown.width(), shown.height(), shown.sha256(), shown.storagePath(), shownObjectUri(shown.objectUri())))
        .orElse(null);
    return new JobView(
        row.jobId(), row.status().wireName(), row.jobType(), row.priority().wireName(), row.batchId(),
        row.references().stream().map(Reference::of).toList(), Edit.of(row.edit()), row.variantCount(),
        row.variants().stream().map(variant -> Variant.of(row.jobId(), variant)).toList(), row.selectedVariant(),
        row.projectId(),
        row.branchId(), row.sceneId(), row.shotId(), row.assetId(), row.prompt(), row.styleCapsuleId(),
        row.styleCapsuleVersion(), row.aspectRatio(), row.imageSize(), row.provider(), row.model(), row.attemptCount(), row.totalAttempts(),
        row.retryCount(), row.cancelRequested(), row.failureStage(), row.errorClass(), row.errorCode(),
        TenantText.of(row.errorMessage()), row.estimatedCostMicros(), row.actualCostMicros(), row.totalCostMicros(),
        row.createdAt(), row.startedAt(), row.completedAt(), row.updatedAt(), row.lastEventSeq(), image);
  }

  /**
   * The object's URI as tenants may see it: a store's own URI ({@code gs://bucket/object}), never a
   * path on a server's disk ({@code file:}), which tells a tenant nothing it can use and everything
   * about the server's layout.
   */
  static String shownObjectUri(String objectUri) {
    return objectUri == null || objectUri.regionMatches(true, 0, "file:", 0, 5) ? null : objectUri;
  }

  /**
   * A reference image of the job.
   *
   * @param source {@code job} or {@code upload}
   * @param id the job's id or the uploaded reference's id
   * @param contentType its media type
   * @param sizeBytes its size
   * @param width its width in pixels
   * @param height its height in pixels
   * @param sha256 the SHA-256 of its bytes in hex
   */
  public record Reference(String source, String id, String contentType, long sizeBytes, int width, int height,
      String sha256) {
    static Reference of(JobReference reference) {
      return new Reference(reference.source(), reference.id(), reference.contentType(), reference.sizeBytes(),
          reference.width(), reference.height(), reference.sha256());
    }
  }

  /**
   * One variant of a job of several.
   *
   * @param variant its number, from 1
   * @param status {@code generated} (not stored yet), {@code stored} or {@code failed}
   * @param url where the owner fetches its image once stored; null before, and when it failed
   * @param actualCostMicros what its provider call cost
   * @param errorClass why it failed (as a failed job says it); null when it did not
   */
  public record Variant(int variant, String status, String url, String contentType, Long sizeBytes, Integer width,
      Integer height, String sha256, long actualCostMicros, String errorClass, String errorCode, String errorMessage) {
    static Variant of(String jobId, JobVariant variant) {
      return new Variant(variant.variant(), variant.status(),
          variant.isStored() ? variantImage(jobId, variant.variant()) : null, variant.contentType(),
          variant.sizeBytes(), variant.width(), variant.height(), variant.sha256(), variant.actualCostMicros(),
          variant.errorClass(), variant.errorCode(), TenantText.of(variant.errorMessage()));
    }
  }

  /** The URL of a job's variant's image. */
  static String variantImage(String jobId, int variant) {
    return location(jobId) + "/variants/" + variant + "/image";
  }

  /**
   * What an EDIT job changes.
   *
   * @param source the image edited
   * @param mask the mask, whose pixels with alpha 128 or more mark the region that may change; null
   *     when the whole image may
   */
  public record Edit(Reference source, Reference mask) {
    static Edit of(JobEdit edit) {
      return edit == null ? null
          : new Edit(Reference.of(edit.source()), edit.mask() == null ? null : Reference.of(edit.mask()));
    }
  }

  /**
   * Where a completed job's image is and what it is.
   *
   * @param url where the owner fetches the bytes through the gateway
   * @param contentType the image's media type
   * @param sizeBytes its size
   * @param width its width in pixels
   * @param height its height in pixels
   * @param sha256 its SHA-256 in hex, also its ETag
   * @param storagePath its path in the bucket
   * @param objectUri its URI in the object store ({@code gs://…}); null for the local filesystem
   *     store, whose paths are the server's
   */
  public record Image(
      String url,
      String contentType,
      Long sizeBytes,
      Integer width,
      Integer height,
      String sha256,
      String storagePath,
      String objectUri) {}
}
