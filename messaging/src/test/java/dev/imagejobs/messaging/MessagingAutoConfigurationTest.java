package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

class MessagingAutoConfigurationTest {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, MessagingAutoConfiguration.class))
      .withPropertyValues("spring.kafka.consumer.group-id=image-jobs-test");

  @Test
  void givenNoLingerConfigured_thenTheProducersLingerOneMillisecond() {
    context.run(ctx -> assertThat(ctx.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, MessagingAutoConfiguration.LINGER_MS));
  }

  @Test
  void givenALingerConfiguredForTheService_thenItIsKept() {
    context.withPropertyValues("spring.kafka.producer.properties.linger.ms=5")
        .run(ctx -> assertThat(ctx.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
            .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5"));
  }

  @Test
  void givenTheServiceWiring_thenThePublisherAndTheDeadLetterPathAreDeclared() {
    context.run(ctx -> assertThat(ctx).hasSingleBean(LifecyclePublisher.class)
        .hasSingleBean(DeadLetterPublisher.class)
        .hasSingleBean(LifecycleRecords.class));
  }
}
