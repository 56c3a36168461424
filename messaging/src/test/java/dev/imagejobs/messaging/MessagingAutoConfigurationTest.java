package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

class MessagingAutoConfigurationTest {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, TopicsAutoConfiguration.class,
          MessagingAutoConfiguration.class, JobTracingAutoConfiguration.class))
      // No broker to create topics on.
      .withPropertyValues("spring.kafka.consumer.group-id=image-jobs-test", "imagejobs.topics.create=false")
      .withPropertyValues("imagejobs.topics.partitions=1", "imagejobs.topics.dlq-partitions=1",
          "imagejobs.topics.replication-factor=1", "imagejobs.topics.min-insync-replicas=1")
      // No broker here: the ended-runs copy reads an empty topic from a mock consumer.
      .withBean(ConsumerFactory.class, MessagingAutoConfigurationTest::emptyEndedRunsTopic);

  @SuppressWarnings("unchecked")
  private static ConsumerFactory<byte[], byte[]> emptyEndedRunsTopic() {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    TopicPartition partition = new TopicPartition(Topics.ENDED_RUNS.name(), 0);
    consumer.updatePartitions(partition.topic(), List.of(new PartitionInfo(partition.topic(), 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(partition, 0L));
    consumer.updateEndOffsets(Map.of(partition, 0L));
    ConsumerFactory<byte[], byte[]> factory = mock(ConsumerFactory.class);
    when(factory.createConsumer(any(), any(), any(), any())).thenReturn(consumer);
    return factory;
  }

  @Test
  void givenNoLingerConfigured_thenTheProducersLingerOneMillisecond() {
    context.run(ctx -> assertThat(ctx.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, MessagingAutoConfiguration.LINGER_MS));
  }

  @Test
  void givenOtherProducerSettings_thenTheLifecycleGuaranteesStill() {
    context.withPropertyValues("spring.kafka.producer.acks=1", "spring.kafka.producer.properties.enable.idempotence=false",
            "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer")
        .run(ctx -> assertThat(ctx.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
            .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
            .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
            .containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class)
            .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, LifecycleEventSerializer.class));
  }

  @Test
  void givenALingerConfiguredForTheService_thenItIsKept() {
    context.withPropertyValues("spring.kafka.producer.properties.linger.ms=5")
        .run(ctx -> assertThat(ctx.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
            .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5"));
  }

  @Test
  void givenTheServiceWiring_thenThePublisherTheDeadLetterPathAndTheEndedRunsAreDeclared() {
    context.run(ctx -> {
      assertThat(ctx).hasSingleBean(LifecyclePublisher.class)
          .hasSingleBean(DeadLetterPublisher.class)
          .hasSingleBean(LifecycleRecords.class)
          .hasSingleBean(EndedRuns.class)
          .hasSingleBean(JobTracing.class);
      EndedRunsReader reader = ctx.getBean(EndedRunsReader.class);
      assertThat(reader.isRunning()).as("loaded and following the topic").isTrue();
      HealthIndicator health = ctx.getBean("endedRunsHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      reader.stop();

      assertThat(health.health().getStatus()).as("no longer following the topic").isEqualTo(Status.DOWN);
    });
  }
}
