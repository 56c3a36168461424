package dev.imagejobs.messaging.testing;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Lifecycle records as a consumer reads them, without a broker: encoded events with their
 * CloudEvents headers, or raw bytes under a chosen {@code ce_type}, at increasing offsets of
 * partition 0. Shipped in the messaging test-jar for the services' dispatcher tests.
 */
public final class TopicRecords {
  private final LifecycleCodec codec = new LifecycleCodec();
  private long nextOffset;

  /** {@code event} encoded and keyed by its job id, as the services publish it. */
  public ConsumerRecord<byte[], byte[]> of(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    RecordHeaders headers = new RecordHeaders();
    CloudEventHeaders.write(headers, lifecycleEvent);
    return record(lifecycleEvent.jobId(), codec.encode(event), headers);
  }

  /** {@code value} as it is, keyed by {@code key}, with {@code ce_type} naming {@code declaredType}. */
  public ConsumerRecord<byte[], byte[]> raw(String key, EventType declaredType, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(CloudEventHeaders.TYPE, declaredType.ceType().getBytes(StandardCharsets.UTF_8));
    return record(key, value, headers);
  }

  private synchronized ConsumerRecord<byte[], byte[]> record(String key, byte[] value, RecordHeaders headers) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    return new ConsumerRecord<>(Topics.LIFECYCLE.name(), 0, nextOffset++, 0L, TimestampType.CREATE_TIME,
        keyBytes.length, value.length, keyBytes, value, headers, Optional.empty());
  }
}
