package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads the lifecycle topic as raw bytes and hands {@code ImageGenerated} and
 * {@code JobCancelRequested} to the {@link ImageUploader}. Other event types are skipped on their
 * {@code ce_type} header; undecodable records and records whose header contradicts their value are
 * thrown to the error handler, which dead-letters them. A job's records share a partition, so a
 * cancel requested before its image was announced is recorded before the image arrives.
 */
@Component
class UploadListener {

  private static final Set<EventType> HANDLED = EnumSet.of(EventType.IMAGE_GENERATED, EventType.JOB_CANCEL_REQUESTED);

  private final LifecycleRecords records;
  private final LifecycleEventHandler handler;

  UploadListener(LifecycleRecords records, ImageUploader uploader) {
    this.records = records;
    this.handler = new LifecycleEventHandler() {
      @Override
      public void on(ImageGenerated event) {
        uploader.upload(event);
      }

      @Override
      public void on(JobCancelRequested event) {
        uploader.cancelRequested(event);
      }
    };
  }

  // The group id comes from spring.kafka.consumer.group-id (image-jobs-upload), not from the listener id.
  @KafkaListener(id = "uploads", idIsGroup = false, topics = "#{T(dev.imagejobs.schemas.Topics).LIFECYCLE.name()}")
  void on(ConsumerRecord<byte[], byte[]> record) {
    records.decodeIfWanted(record, HANDLED).ifPresent(event -> event.dispatchTo(handler));
  }
}
