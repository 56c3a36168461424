package dev.imagejobs.upload.uploads;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.upload.messaging.UnprocessableRecordException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Reads the lifecycle topic as raw bytes and hands {@code ImageGenerated} events to the
 * {@link ImageUploader}. Records are routed on their {@code ce_type} header before decoding, so
 * the other event types cost a header lookup. A record without the header is decoded to learn its
 * type. Undecodable records and records whose header contradicts their value are thrown to the
 * error handler, which dead-letters them.
 */
@Component
class ImageGeneratedListener {

  private final LifecycleCodec codec;
  private final ImageUploader uploader;

  ImageGeneratedListener(LifecycleCodec codec, ImageUploader uploader) {
    this.codec = codec;
    this.uploader = uploader;
  }

  // The group id comes from spring.kafka.consumer.group-id (image-jobs-upload), not from the listener id.
  @KafkaListener(id = "uploads", idIsGroup = false, topics = "#{T(dev.imagejobs.schemas.Topics).LIFECYCLE.name()}")
  void on(ConsumerRecord<byte[], byte[]> record) {
    boolean typed = CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE).isPresent();
    Optional<EventType> declared = CloudEventHeaders.type(record.headers());
    if (typed && declared.filter(EventType.IMAGE_GENERATED::equals).isEmpty()) {
      return;
    }
    LifecycleEvent event = codec.decode(record.value());
    if (event.type() != EventType.IMAGE_GENERATED) {
      if (typed) {
        throw new UnprocessableRecordException("ce_type says " + EventType.IMAGE_GENERATED.simpleName()
            + " but the value is a " + event.type().simpleName());
      }
      return;
    }
    uploader.upload(event.payload(ImageGenerated.class));
  }
}
