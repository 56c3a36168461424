package dev.imagejobs.upload.messaging;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.UndecodableEventException;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Topics, producers and the listener error handling of the upload service. Serializers and
 * deserializers are set in {@code application.yml}: lifecycle events are written with
 * {@code LifecycleEventSerializer}, records are consumed as raw bytes so they can be routed on
 * {@code ce_type} before decoding and dead-lettered byte for byte.
 */
@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

  /** A failed publish is retried this often, this far apart, before the record is dead-lettered. */
  private static final long REDELIVERY_INTERVAL_MS = 1_000;
  private static final long REDELIVERIES = 2;

  @Bean
  KafkaAdmin.NewTopics imageJobsTopics(TopicProperties topics) {
    return new KafkaAdmin.NewTopics(Topics.newTopics(topics.toSettings()).toArray(NewTopic[]::new));
  }

  @Bean
  LifecycleCodec lifecycleCodec() {
    return new LifecycleCodec();
  }

  @Bean
  KafkaTemplate<String, SpecificRecord> lifecycleEventTemplate(
      ProducerFactory<String, SpecificRecord> producerFactory) {
    return new KafkaTemplate<>(producerFactory);
  }

  @Bean
  LifecyclePublisher lifecyclePublisher(KafkaTemplate<String, SpecificRecord> lifecycleEventTemplate) {
    return new KafkaLifecyclePublisher(lifecycleEventTemplate);
  }

  /** Same producer settings (acks=all, idempotence) as the lifecycle events, raw bytes in and out. */
  @Bean
  KafkaTemplate<byte[], byte[]> deadLetterTemplate(ProducerFactory<byte[], byte[]> producerFactory) {
    return new KafkaTemplate<>(producerFactory, Map.of(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  @Bean
  DefaultErrorHandler lifecycleErrorHandler(
      KafkaTemplate<byte[], byte[]> deadLetterTemplate, KafkaProperties kafkaProperties) {
    DeadLetterPublisher deadLetters =
        new DeadLetterPublisher(deadLetterTemplate, kafkaProperties.getConsumer().getGroupId());
    DefaultErrorHandler handler =
        new DefaultErrorHandler(deadLetters, new FixedBackOff(REDELIVERY_INTERVAL_MS, REDELIVERIES));
    // Redelivering these cannot help: straight to the dead-letter topic.
    handler.addNotRetryableExceptions(UndecodableEventException.class, UnprocessableRecordException.class);
    return handler;
  }
}
