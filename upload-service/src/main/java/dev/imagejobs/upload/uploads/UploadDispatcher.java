package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.DeadLetters;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecycleDispatcher;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.RecordHandler;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the upload service does with a lifecycle record: an {@code ImageGenerated} is uploaded, a
 * {@code JobCancelRequested} recorded and a {@code VariantSelected} placed at its job's path
 * ({@link VariantSelector}), each on a storage thread and after the job's earlier records are done
 * with, so a cancel requested before the image was announced is recorded before the image is looked
 * at, and of two selections of a job the later one is placed last; other types are skipped on their
 * {@code ce_type} header and unreadable or unprocessable records are dead-lettered
 * ({@link LifecycleDispatcher}). Many jobs are handled at once.
 *
 * <p>A record whose handling fails (its events could not be published) is handled again after
 * {@code redeliveryDelay}, up to {@code maxRedeliveries} times, then dead-lettered; that is safe
 * since every step is idempotent and event ids derive from the record ({@link ImageUploader}). A
 * storage outage ({@link StorageUnavailableException}) is never a reason to fail a paid image or to
 * dead-letter a cancel or a selection: such a record is handled again, with growing delays, until
 * the store is back; an upload stops by itself once its run has ended (the watchdog's uploading
 * deadline).
 */
class UploadDispatcher implements RecordHandler {
  private final LifecycleDispatcher dispatcher;

  /** @param storage runs the blocking storage steps, a job at a time per thread */
  UploadDispatcher(LifecycleRecords records, ImageUploader uploader, VariantSelector selector, DeadLetters deadLetters,
      Executor storage, int maxRedeliveries, Duration redeliveryDelay, JobTracing tracing) {
    this.dispatcher = LifecycleDispatcher.builder(records, deadLetters, storage)
        .inJobOrder(ImageGenerated.class, generated -> tracing.within(generated.getMetadata().getJobId(),
            "image-jobs.upload.store",
            () -> CompletableFuture.supplyAsync(() -> uploader.upload(generated), storage).thenCompose(Function.identity())))
        .inJobOrder(JobCancelRequested.class, cancel ->
            CompletableFuture.runAsync(() -> uploader.cancelRequested(cancel), storage))
        .inJobOrder(VariantSelected.class, selected -> tracing.within(selected.getMetadata().getJobId(),
            "image-jobs.upload.select", () -> CompletableFuture.runAsync(() -> selector.select(selected), storage)))
        .redeliveries(maxRedeliveries, redeliveryDelay)
        .retriedUntilItWorks(StorageUnavailableException.class)
        .tracing(tracing)
        .build();
  }

  @Override
  public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) {
    return dispatcher.handle(record);
  }
}
