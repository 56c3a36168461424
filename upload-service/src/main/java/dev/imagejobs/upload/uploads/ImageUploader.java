package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.EventsInFlight;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.StagingArea;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.ArtifactRejectedException;
import dev.imagejobs.upload.inspection.InspectedImage;
import dev.imagejobs.upload.paths.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one generated image from staging to its final path: announces {@code UploadStarted},
 * checks the staged bytes, stores a copy of them create-if-absent ({@link FinalImageWriter}),
 * announces {@code JobCompleted}, then removes the staged copy. A job of several variants stores
 * each variant at its own path and the first at the job's ({@link VariantUploader}), and lists them
 * all in its {@code JobCompleted}. The storage steps block the calling thread; the events are sent without
 * waiting ({@link EventsInFlight}), and the returned future completes once all of them are
 * acknowledged. Safe to run again for the same event (a redelivery): an object already stored with
 * the same SHA-256 is accepted as this job's, never rewritten, and the events it publishes get the
 * same ids as the first time, so consumers that de-duplicate on the event id drop them.
 *
 * <p>A cancel request leaves a marker in the run's staging folder ({@link StagingArea}); an image
 * generated for a run so marked is discarded and the job ends with {@code JobCanceled} instead. The
 * marker stays until the staging sweep, so a redelivered {@code ImageGenerated} is canceled again
 * rather than stored. A cancel that arrives once the image is stored comes too late: the job
 * completes.
 *
 * <p>The image of a run that has ended ({@link EndedRuns}: failed by the watchdog while the image
 * waited in a backlog, or completed and delivered again by a replay) is never stored.
 */
class ImageUploader {

  static final String FAILURE_STAGE = "uploading";
  static final String PERMANENT = "PERMANENT";
  static final String CANCEL_REASON = "Canceled before upload; the generated image was discarded";

  private static final Logger log = LoggerFactory.getLogger(ImageUploader.class);

  private final BlobStore store;
  private final LifecyclePublisher publisher;
  private final EventMetadataFactory metadataFactory;
  private final StorageRetries retries;
  private final FinalImageWriter writer;
  private final VariantUploader variants;
  private final EndedRuns endedRuns;

  ImageUploader(
      BlobStore store,
      ArtifactInspector inspector,
      LifecyclePublisher publisher,
      EventMetadataFactory metadataFactory,
      UploadSettings settings,
      EndedRuns endedRuns) {
    this.store = store;
    this.publisher = publisher;
    this.metadataFactory = metadataFactory;
    this.endedRuns = endedRuns;
    this.retries = new StorageRetries(settings);
    this.writer = new FinalImageWriter(store, inspector, retries);
    this.variants = new VariantUploader(store, writer, retries);
  }

  /**
   * Records that the job is to be canceled, so its image is discarded when it arrives.
   *
   * @throws UnprocessableRecordException when the job id cannot name a staging folder
   * @throws StorageUnavailableException when the store kept failing; the dispatcher handles the
   *     request again and finally dead-letters it
   */
  void cancelRequested(JobCancelRequested event) {
    EventMetadata cause = event.getMetadata();
    try {
      StagingArea.folder(cause.getJobId());
    } catch (IllegalArgumentException e) {
      throw new UnprocessableRecordException("Job id '" + cause.getJobId() + "' cannot name a staging folder");
    }
    retries.run("Recording the cancel of job " + cause.getJobId(), () -> {
      StagingArea.markCanceled(store, cause.getJobId(), cause.getRun(), cause.getTenantId());
      return null;
    });
    log.info("Cancel requested for job {}: its image will be discarded", cause.getJobId());
  }

  /**
   * Uploads the image {@code event} announces, or discards it when the job was canceled.
   *
   * @return completes once the events of the upload are acknowledged; fails when one could not be
   *     published, or with {@link StorageUnavailableException} when the store kept failing through
   *     its retries: the record is then handled again, for a storage outage until the store is back
   *     or the job has ended, so a paid image is never failed for an outage
   */
  CompletableFuture<Void> upload(ImageGenerated event) {
    EventMetadata cause = event.getMetadata();
    EndedRuns.Verdict verdict = endedRuns.verdict(cause.getJobId(), cause.getRun(), cause.getOccurredAt());
    if (verdict != EndedRuns.Verdict.RUNNABLE) {
      return skipEnded(event, verdict);
    }
    EventsInFlight events = new EventsInFlight(publisher);
    boolean canceled;
    try {
      canceled = isCanceled(cause.getJobId(), cause.getRun());
    } catch (StorageUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (canceled && !alreadyStored(event)) {
      return discardCanceled(event, events);
    }
    events.send(UploadStarted.newBuilder().setMetadata(metadata(cause, EventType.UPLOAD_STARTED)).build());
    try {
      StoredImages stored = event.getVariants().isEmpty() ? storeImage(event) : variants.store(event);
      InspectedImage image = stored.image();
      CompletableFuture<Void> completed = events.sendLast(JobCompleted.newBuilder()
          .setMetadata(metadata(cause, EventType.JOB_COMPLETED))
          .setStoragePath(stored.path().value())
          .setObjectUri(store.uri(stored.path()).toString())
          .setContentType(image.format().contentType())
          .setSizeBytes(image.sizeBytes())
          .setWidth(image.width())
          .setHeight(image.height())
          .setSha256(image.sha256())
          .setVariants(stored.variants())
          .build());
      // The final copies are durable already; should JobCompleted not get out, a redelivery completes
      // the job again from them, staged copies or not.
      for (BlobPath staged : stored.staged()) {
        if (markStored(staged, cause.getJobId())) {
          discard(staged, cause.getJobId());
        }
      }
      return completed;
    } catch (UploadRejectedException | ArtifactRejectedException e) {
      return fail(events, cause, PERMANENT, e.getMessage());
    } catch (StorageUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Leaves alone the image of a run that has ended (the watchdog failed it while its image waited in
   * a backlog, or it completed and this is a redelivery or a replay) or whose event is history: nothing
   * is stored and nothing is announced, since the job has ended already. A staged copy of an ended
   * run is removed; one of history is long gone.
   */
  private CompletableFuture<Void> skipEnded(ImageGenerated event, EndedRuns.Verdict verdict) {
    EventMetadata cause = event.getMetadata();
    if (verdict == EndedRuns.Verdict.HISTORY) {
      log.info("Job {} run {}: its image event is older than the ended-runs retention (a replay or lost offsets); "
          + "not stored", cause.getJobId(), cause.getRun());
      return CompletableFuture.completedFuture(null);
    }
    log.info("Job {} run {} has ended already, {}; its image is not stored", cause.getJobId(), cause.getRun(),
        endedRuns.endedStatus(cause.getJobId()));
    discardStaged(event);
    return CompletableFuture.completedFuture(null);
  }

  /** Whether a cancel of the run was recorded; an id that cannot name a folder was never marked. */
  private boolean isCanceled(String jobId, int run) {
    try {
      StagingArea.folder(jobId);
    } catch (IllegalArgumentException e) {
      return false; // the final path check rejects the job
    }
    return retries.run("Checking whether job " + jobId + " run " + run + " was canceled",
        () -> StagingArea.isCanceled(store, jobId, run));
  }

  /**
   * Whether an earlier delivery of the event already stored the image: the cancel came too late, and
   * the redelivery completes the job again with the same events rather than contradicting them.
   */
  private boolean alreadyStored(ImageGenerated event) {
    if (!event.getVariants().isEmpty()) {
      return variants.alreadyStored(event);
    }
    try {
      return writer.storedTwin(stagedImage(event), event.getSpec(), finalPath(event)).isPresent();
    } catch (UploadRejectedException | ArtifactRejectedException | StorageUnavailableException e) {
      return false;
    }
  }

  /**
   * Removes the staged image of a canceled job and announces the cancel. The staged copy goes first,
   * so once {@code JobCanceled} is visible nothing of the result is left but a copy the store failed
   * to delete, which the staging sweep removes.
   */
  private CompletableFuture<Void> discardCanceled(ImageGenerated event, EventsInFlight events) {
    EventMetadata cause = event.getMetadata();
    discardStaged(event);
    log.info("Job {} was canceled before upload; its image was discarded", cause.getJobId());
    return events.sendLast(JobCanceled.newBuilder()
        .setMetadata(metadata(cause, EventType.JOB_CANCELED))
        .setStage(JobStatus.GENERATED.wireName())
        .setReason(CANCEL_REASON)
        .build());
  }

  /** Checks and stores the image of a job of one. */
  private StoredImages storeImage(ImageGenerated event) {
    StagedImage image = stagedImage(event);
    BlobPath target = finalPath(event);
    EventMetadata cause = event.getMetadata();
    InspectedImage stored = writer.store(image, event.getSpec(), target,
        Map.of("jobId", cause.getJobId(), "tenantId", cause.getTenantId()));
    return StoredImages.single(target, stored, image.staged());
  }

  /**
   * Tells a generation service handed this job again that its image exists (see StagingArea);
   * {@code false} when that failed, and the staged copy must then stay for the sweeper.
   */
  private boolean markStored(BlobPath staged, String jobId) {
    try {
      retries.run("Marking " + staged + " stored", () -> {
        StagingArea.markStored(store, staged, jobId);
        return null;
      });
      return true;
    } catch (StorageUnavailableException e) {
      log.warn("Job {} completed; its staged copy stays until the sweep: {}", jobId, e.getMessage());
      return false;
    }
  }

  /**
   * Removes the staged copies an image event names (every generated variant's for a job of several),
   * if any are left (a delete of a missing copy changes nothing).
   */
  private void discardStaged(ImageGenerated event) {
    String jobId = event.getMetadata().getJobId();
    if (!event.getVariants().isEmpty()) {
      variants.stagedCopies(event).forEach(staged -> discard(staged, jobId));
      return;
    }
    try {
      discard(stagedImage(event).staged(), jobId);
    } catch (UploadRejectedException e) {
      // A reference that is not a path points at nothing there is to delete.
      log.warn("Job {} ended; its staged reference is unusable: {}", event.getMetadata().getJobId(), e.getMessage());
    }
  }

  private void discard(BlobPath staged, String jobId) {
    try {
      retries.run("Deleting " + staged, () -> store.delete(staged));
    } catch (StorageUnavailableException e) {
      // The job has ended; a leftover staged copy only costs space until the staging sweep.
      log.warn("Job {} ended but its staged copy stays: {}", jobId, e.getMessage());
    }
  }

  private CompletableFuture<Void> fail(EventsInFlight events, EventMetadata cause, String errorClass, String message) {
    log.info("Upload of job {} failed ({}): {}", cause.getJobId(), errorClass, message);
    return events.sendLast(JobFailed.newBuilder()
        .setMetadata(metadata(cause, EventType.JOB_FAILED))
        .setFailureStage(FAILURE_STAGE)
        .setErrorClass(errorClass)
        .setMessage(message)
        .build());
  }

  /** The image of a job of one, staged in the job's own staging folder. */
  private static StagedImage stagedImage(ImageGenerated event) {
    return StagedImage.of(event.getMetadata().getJobId(), event.getStagedRef(), event.getContentType(),
        event.getSha256());
  }

  private static BlobPath finalPath(ImageGenerated event) {
    try {
      return StoragePaths.finalPath(event.getMetadata().getTenantId(), event.getMetadata().getJobId(), event.getSpec(),
          event.getContentType());
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
}
