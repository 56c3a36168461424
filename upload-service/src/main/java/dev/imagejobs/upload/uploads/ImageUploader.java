package dev.imagejobs.upload.uploads;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.StorageException;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.ArtifactRejectedException;
import dev.imagejobs.upload.inspection.InspectedImage;
import dev.imagejobs.upload.messaging.LifecyclePublisher;
import dev.imagejobs.upload.paths.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Moves one generated image from staging to its final path: announces {@code UploadStarted},
 * checks the staged bytes, writes them create-if-absent, announces {@code JobCompleted}, then
 * removes the staged copy. Safe to run again for the same event (a redelivery): an object already
 * stored with the same SHA-256 is accepted as this job's, never rewritten, and the events it
 * publishes get the same ids as the first time, so consumers that de-duplicate on the event id drop
 * them.
 */
class ImageUploader {

  static final String CACHE_CONTROL = "private, max-age=31536000, immutable";
  static final String FAILURE_STAGE = "uploading";
  static final String PERMANENT = "PERMANENT";
  static final String TEMPORARY = "TEMPORARY";

  private static final Logger log = LoggerFactory.getLogger(ImageUploader.class);

  private final BlobStore store;
  private final ArtifactInspector inspector;
  private final LifecyclePublisher publisher;
  private final EventMetadataFactory metadataFactory;
  private final RetryTemplate storageRetries;

  ImageUploader(
      BlobStore store,
      ArtifactInspector inspector,
      LifecyclePublisher publisher,
      EventMetadataFactory metadataFactory,
      UploadSettings settings) {
    this.store = store;
    this.inspector = inspector;
    this.publisher = publisher;
    this.metadataFactory = metadataFactory;
    this.storageRetries = new RetryTemplate(RetryPolicy.builder()
        .includes(StorageException.class)
        .maxRetries(settings.storageMaxRetries())
        .delay(settings.storageRetryDelay())
        .multiplier(2)
        .maxDelay(settings.storageRetryMaxDelay())
        .build());
  }

  void upload(ImageGenerated event) {
    EventMetadata cause = event.getMetadata();
    publisher.publish(UploadStarted.newBuilder().setMetadata(metadata(cause, EventType.UPLOAD_STARTED)).build());
    try {
      BlobPath staged = stagedPath(event);
      BlobPath target = finalPath(event);
      InspectedImage image = store(event, staged, target);
      publisher.publish(JobCompleted.newBuilder()
          .setMetadata(metadata(cause, EventType.JOB_COMPLETED))
          .setStoragePath(target.value())
          .setObjectUri(store.uri(target).toString())
          .setContentType(image.format().contentType())
          .setSizeBytes(image.sizeBytes())
          .setWidth(image.width())
          .setHeight(image.height())
          .setSha256(image.sha256())
          .build());
      discard(staged, cause.getJobId());
    } catch (UploadRejectedException | ArtifactRejectedException e) {
      fail(cause, PERMANENT, e.getMessage());
    } catch (StorageUnavailableException e) {
      fail(cause, TEMPORARY, e.getMessage());
    }
  }

  private InspectedImage store(ImageGenerated event, BlobPath staged, BlobPath target) {
    Optional<Blob> artifact = withRetries("Reading " + staged, () -> store.get(staged));
    if (artifact.isEmpty()) {
      // A redelivery after the staged copy was removed: only its stored twin can still complete the job.
      return storedTwin(event, target)
          .orElseThrow(() -> new UploadRejectedException("The staged artifact " + staged + " is missing"));
    }
    byte[] content = artifact.get().content();
    InspectedImage image = inspect(content, event);
    EventMetadata cause = event.getMetadata();
    BlobMetadata metadata = new BlobMetadata(image.format().contentType(), CACHE_CONTROL, Map.of(
        "jobId", cause.getJobId(), "tenantId", cause.getTenantId(), "sha256", image.sha256()));
    PutOutcome outcome = withRetries("Writing " + target, () -> store.putIfAbsent(target, content, metadata));
    if (outcome == PutOutcome.ALREADY_EXISTS && storedTwin(event, target).isEmpty()) {
      throw new UploadRejectedException("A different image is already stored at " + target);
    }
    return image;
  }

  /** The object at {@code target} if its bytes are exactly the announced ones. */
  private Optional<InspectedImage> storedTwin(ImageGenerated event, BlobPath target) {
    return withRetries("Reading " + target, () -> store.get(target))
        .map(Blob::content)
        .filter(stored -> ArtifactInspector.sha256(stored).equalsIgnoreCase(event.getSha256()))
        .map(stored -> inspect(stored, event));
  }

  private InspectedImage inspect(byte[] content, ImageGenerated event) {
    return inspector.inspect(content, event.getContentType(), event.getSpec().getAspectRatio(), event.getSha256());
  }

  private void discard(BlobPath staged, String jobId) {
    try {
      withRetries("Deleting " + staged, () -> store.delete(staged));
    } catch (StorageUnavailableException e) {
      // The job is complete; a leftover staged copy only costs space until the staging sweep.
      log.warn("Job {} completed but its staged copy stays: {}", jobId, e.getMessage());
    }
  }

  private void fail(EventMetadata cause, String errorClass, String message) {
    log.info("Upload of job {} failed ({}): {}", cause.getJobId(), errorClass, message);
    publisher.publish(JobFailed.newBuilder()
        .setMetadata(metadata(cause, EventType.JOB_FAILED))
        .setFailureStage(FAILURE_STAGE)
        .setErrorClass(errorClass)
        .setMessage(message)
        .build());
  }

  private static BlobPath stagedPath(ImageGenerated event) {
    try {
      return new BlobPath(event.getStagedRef());
    } catch (IllegalArgumentException e) {
      throw new UploadRejectedException("The staged reference '" + event.getStagedRef() + "' is not a valid path", e);
    }
  }

  private static BlobPath finalPath(ImageGenerated event) {
    try {
      return StoragePaths.finalPath(event.getMetadata().getJobId(), event.getSpec(), event.getContentType());
    } catch (IllegalArgumentException e) {
      throw new UploadRejectedException("No storage path for this job: " + e.getMessage(), e);
    }
  }

  /**
   * Metadata following {@code cause}, with an event id derived from the cause's id and the event
   * type: the same on every redelivery of the cause.
   */
  private EventMetadata metadata(EventMetadata cause, EventType type) {
    EventMetadata metadata = metadataFactory.following(cause, cause.getAttempt());
    String name = cause.getEventId() + "/" + metadataFactory.producer() + "/" + type.simpleName();
    metadata.setEventId(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
    return metadata;
  }

  private <T> T withRetries(String action, Supplier<T> operation) {
    try {
      return storageRetries.execute(operation::get);
    } catch (RetryException e) {
      Throwable last = e.getLastException();
      if (last instanceof StorageException) {
        throw new StorageUnavailableException(
            action + " failed after " + (e.getRetryCount() + 1) + " attempts: " + last.getMessage(), last);
      }
      if (last instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(action + " failed", last);
    }
  }
}
