package dev.imagejobs.messaging;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * A template for records already encoded (dead letters, budget events), with the guarantees every
 * event of the system is written with whatever {@code spring.kafka.producer.*} says: acknowledged by
 * every in-sync replica, idempotent, so a retried send neither duplicates nor reorders a partition's
 * records.
 */
public final class RawRecords {
  private RawRecords() {}

  @SuppressWarnings("unchecked")
  public static KafkaTemplate<byte[], byte[]> template(ProducerFactory<?, ?> producers) {
    return new KafkaTemplate<>((ProducerFactory<byte[], byte[]>) producers, Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }
}
