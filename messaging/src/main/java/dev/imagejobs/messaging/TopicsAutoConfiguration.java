package dev.imagejobs.messaging;

import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Declares every topic of the catalogue from {@code imagejobs.topics.*}, so whichever service starts
 * first creates the missing ones and none relies on broker auto-creation. Kept apart from
 * {@link MessagingAutoConfiguration} so that services with their own producers and error handling
 * (the gateway, the streams service) exclude that one and still share this.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(TopicProperties.class)
public class TopicsAutoConfiguration {

  /**
   * KafkaAdmin creates these while the context starts, before any listener or topology runs. Off
   * with {@code imagejobs.topics.create=false} ({@code IMAGEJOBS_TOPICS_CREATE}), where topics are
   * managed outside the services (Strimzi {@code KafkaTopic} resources, an operator's scripts) and
   * the services' Kafka users may not create topics.
   */
  @Bean
  @ConditionalOnProperty(prefix = "imagejobs.topics", name = "create", havingValue = "true", matchIfMissing = true)
  KafkaAdmin.NewTopics imageJobsTopics(TopicProperties topics, TopicNames names) {
    return new KafkaAdmin.NewTopics(Topics.newTopics(topics.toSettings(), names).toArray(NewTopic[]::new));
  }

  /** The topic names of this deployment ({@code imagejobs.topics.prefix}), for every producer and consumer. */
  @Bean
  TopicNames topicNames(TopicProperties topics) {
    return topics.names();
  }
}
