package dev.imagejobs.gateway.projection;

import dev.imagejobs.gateway.database.DatabaseConfiguration;
import dev.imagejobs.gateway.database.DedicatedDatabase;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;

/** Wires the projection: its consumer, its dead-letter producer and its offset store. */
@Configuration(proxyBeanMethods = false)
class ProjectionConfiguration {

  /** The projection's consumer group; its offsets live in {@code projection_offsets}, not in Kafka. */

  @Bean
  ProjectionStats projectionStats() {
    return new ProjectionStats();
  }

  @Bean
  ProjectionHealthIndicator projectionHealthIndicator(ReadModelProjector projector) {
    return new ProjectionHealthIndicator(projector);
  }

  /** Dead letters keep the original bytes: the value is exactly what could not be read. */
  @Bean
  DefaultKafkaProducerFactory<String, byte[]> deadLetterProducerFactory(
      KafkaProperties kafka, ProjectionSettings settings, MeterRegistry registry) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    // send() blocks while the broker is unknown; never longer than the projector waits for the ack.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.deadLetterTimeout().toMillis());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.consumerGroup() + "-dlq");
    DefaultKafkaProducerFactory<String, byte[]> factory =
        new DefaultKafkaProducerFactory<>(config, new StringSerializer(), new ByteArraySerializer());
    factory.addListener(new MicrometerProducerListener<>(registry));
    return factory;
  }

  @Bean
  ReadModelProjector readModelProjector(
      KafkaProperties kafka,
      @Qualifier(DatabaseConfiguration.BACKGROUND) DedicatedDatabase database,
      LifecycleCodec codec,
      ProjectionSettings settings,
      TopicNames names,
      ProjectionStats stats,
      ProducerFactory<String, byte[]> deadLetterProducerFactory,
      CommittedEvents committed,
      MeterRegistry registry,
      JobTracing tracing) {
    Map<String, Object> consumerConfig = new HashMap<>(kafka.buildConsumerProperties());
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, settings.consumerGroup());
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.consumerGroup());
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
    consumerConfig.putAll(settings.batching());
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    DefaultKafkaConsumerFactory<String, byte[]> consumers = new DefaultKafkaConsumerFactory<>(consumerConfig);
    // The client's own metrics (lag, fetch rates) on /actuator/prometheus, from creation to close.
    consumers.addListener(new MicrometerConsumerListener<>(registry));
    return new ReadModelProjector(
        consumers::createConsumer,
        names.lifecycle(),
        new ReadModel(database.client()),
        new ProjectionOffsets(database.client(), settings.consumerGroup(), names.lifecycle()),
        new DeadLetters(new KafkaTemplate<>(deadLetterProducerFactory), names.lifecycleDlq(), settings.consumerGroup(),
            settings.deadLetterTimeout()),
        database.transactions(),
        codec,
        settings,
        stats,
        committed,
        tracing);
  }
}
