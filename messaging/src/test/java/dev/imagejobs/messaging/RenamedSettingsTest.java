package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A setting's old name, as an environment variable, is reported at start-up with its new name and
 * still applied ({@link RenamedSettings}); the new name wins where both are set.
 */
@ExtendWith(OutputCaptureExtension.class)
class RenamedSettingsTest {

  @Test
  void givenAnOldVariable_thenStartUpReportsItsNewNameAndAppliesIt(CapturedOutput output) {
    try (ConfigurableApplicationContext app = start(Map.of(
        "IMAGEJOBS_TOPIC_PARTITIONS", "3",
        "KAFKA_BOOTSTRAP_SERVERS", "kafka.internal:9092"))) {
      assertThat(app.getBean(TopicProperties.class).partitions()).isEqualTo(3);
      assertThat(app.getEnvironment().getProperty("spring.kafka.bootstrap-servers")).isEqualTo("kafka.internal:9092");
    }
    assertThat(output.getOut())
        .contains("Setting imagejobs.topic.partitions (System Environment Property \"IMAGEJOBS_TOPIC_PARTITIONS\") "
            + "is renamed imagejobs.topics.partitions (environment variable IMAGEJOBS_TOPICS_PARTITIONS): applied for now")
        .contains("Setting kafka.bootstrap-servers (System Environment Property \"KAFKA_BOOTSTRAP_SERVERS\") "
            + "is renamed spring.kafka.bootstrap-servers");
  }

  @Test
  void givenBothNames_thenTheNewOneWins(CapturedOutput output) {
    try (ConfigurableApplicationContext app = start(Map.of(
        "IMAGEJOBS_TOPIC_PARTITIONS", "3", "IMAGEJOBS_TOPICS_PARTITIONS", "4"))) {
      assertThat(app.getBean(TopicProperties.class).partitions()).isEqualTo(4);
    }
    assertThat(output.getOut()).contains("is renamed imagejobs.topics.partitions")
        .contains("ignored, as imagejobs.topics.partitions is set");
  }

  @Test
  void givenTheNewVariable_thenNothingIsReported(CapturedOutput output) {
    try (ConfigurableApplicationContext app = start(Map.of("IMAGEJOBS_TOPICS_PARTITIONS", "4"))) {
      assertThat(app.getBean(TopicProperties.class).partitions()).isEqualTo(4);
    }
    assertThat(output.getOut()).doesNotContain("is renamed");
  }

  @Test
  void givenNothingSet_thenTheRecordsDefaultsApply() {
    try (ConfigurableApplicationContext app = start(Map.of())) {
      TopicProperties topics = app.getBean(TopicProperties.class);
      assertThat(topics.partitions()).isEqualTo(6);
      assertThat(topics.replicationFactor()).isEqualTo((short) 1);
      assertThat(topics.dlqRetentionMs()).isEqualTo(30L * 24 * 3600 * 1000);
      assertThat(topics.create()).isTrue();
      assertThat(topics.names().lifecycle()).isEqualTo("image-jobs.lifecycle.v1");
    }
  }

  /** The application with {@code variables} as its environment variables. */
  private static ConfigurableApplicationContext start(Map<String, Object> variables) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
    return new SpringApplicationBuilder(Settings.class).environment(environment).web(WebApplicationType.NONE).run();
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(TopicProperties.class)
  static class Settings {}
}
