package dev.imagejobs.messaging;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The lifecycle publisher, the dead-letter path and the producer settings shared by the services
 * that consume the lifecycle topic (generation, upload); their topics come from
 * {@link TopicsAutoConfiguration}. The producer settings the events' guarantees rest on are set here,
 * whatever {@code spring.kafka.producer.*} says: lifecycle events are written with
 * {@code LifecycleEventSerializer}, {@code acks=all} and idempotence; consumers read raw bytes so they
 * can route on {@code ce_type} and dead-letter byte for byte ({@link InFlightConsumer}).
 */
@AutoConfiguration(after = {KafkaAutoConfiguration.class, TopicsAutoConfiguration.class})
@EnableConfigurationProperties({EndedRunsProperties.class, TopicProperties.class})
public class MessagingAutoConfiguration {

  /**
   * How long the producers wait to fill a batch unless {@code spring.kafka.producer.properties.linger.ms}
   * says otherwise. Kafka 4's default of 5 ms is added to every event a job waits for, at every hop;
   * a job's events are a few small records, so batches fill from many jobs at once instead.
   */
  static final int LINGER_MS = 1;

  /** Gauge of {@link EndedRuns#size()}. */
  public static final String ENDED_RUNS_KNOWN = "imagejobs.ended.runs.known";

  /**
   * The lifecycle producer of every service that uses this module: its guarantees always, and a
   * shorter batching than Kafka's default unless the service sets one.
   */
  @Bean
  DefaultKafkaProducerFactoryCustomizer lifecycleProducer() {
    return factory -> {
      if (!factory.getConfigurationProperties().containsKey(ProducerConfig.LINGER_MS_CONFIG)) {
        factory.updateConfigs(Map.of(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS));
      }
      factory.updateConfigs(Map.of(
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, LifecycleEventSerializer.class));
    };
  }

  @Bean
  @ConditionalOnMissingBean
  LifecycleCodec lifecycleCodec() {
    return new LifecycleCodec();
  }

  @Bean
  @ConditionalOnMissingBean
  LifecycleRecords lifecycleRecords(LifecycleCodec codec) {
    return new LifecycleRecords(codec);
  }

  @Bean
  KafkaTemplate<String, SpecificRecord> lifecycleEventTemplate(ProducerFactory<String, SpecificRecord> producerFactory) {
    KafkaTemplate<String, SpecificRecord> template = new KafkaTemplate<>(producerFactory);
    // A span per send, written into the record's traceparent header by the tracing propagator.
    template.setObservationEnabled(true);
    return template;
  }

  @Bean
  @ConditionalOnMissingBean
  LifecyclePublisher lifecyclePublisher(KafkaTemplate<String, SpecificRecord> lifecycleEventTemplate, TopicNames names,
      JobTracing tracing) {
    return new KafkaLifecyclePublisher(lifecycleEventTemplate, names.lifecycle(), tracing);
  }

  /** The latest ended run of each job, within the ended-runs topic's retention. */
  @Bean
  @ConditionalOnMissingBean
  EndedRuns endedRuns(TopicProperties topics, ObjectProvider<MeterRegistry> meters) {
    EndedRuns endedRuns = new EndedRuns(Duration.ofMillis(topics.endedRunsRetentionMs()), Clock.systemUTC());
    meters.ifAvailable(registry -> Gauge.builder(ENDED_RUNS_KNOWN, endedRuns, EndedRuns::size)
        .description("Jobs whose latest ended run this instance knows, within the ended-runs retention")
        .register(registry));
    return endedRuns;
  }

  /** Loads {@link EndedRuns} from the topic before the service's consumer starts, then follows it. */
  @Bean
  EndedRunsReader endedRunsReader(ConsumerFactory<?, ?> consumers, TopicNames names, EndedRuns endedRuns,
      EndedRunsProperties settings) {
    return new EndedRunsReader(consumers, names.endedRuns(), endedRuns, settings.loadTimeout(), Clock.systemUTC());
  }

  /** The reader's state as health component {@code endedRuns}, where the service has the actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class EndedRunsHealthConfiguration {
    @Bean
    HealthIndicator endedRunsHealthIndicator(EndedRunsReader reader, EndedRuns endedRuns) {
      return new EndedRunsHealth(reader, endedRuns);
    }
  }

  /** Same producer settings (acks=all, idempotence) as the lifecycle events, raw bytes in and out. */
  @Bean
  KafkaTemplate<byte[], byte[]> deadLetterTemplate(ProducerFactory<byte[], byte[]> producerFactory) {
    return RawRecords.template(producerFactory);
  }

  @Bean
  DeadLetterPublisher deadLetterPublisher(
      KafkaTemplate<byte[], byte[]> deadLetterTemplate, TopicNames names, KafkaProperties kafkaProperties) {
    return new DeadLetterPublisher(deadLetterTemplate, names.lifecycleDlq(), kafkaProperties.getConsumer().getGroupId());
  }
}
