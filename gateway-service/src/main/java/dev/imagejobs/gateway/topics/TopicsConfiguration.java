package dev.imagejobs.gateway.topics;

import dev.imagejobs.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Every service declares all topics of the catalogue, so whichever starts first creates them. */
@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

  @Bean
  KafkaAdmin.NewTopics imageJobsTopics(TopicProperties properties) {
    return new KafkaAdmin.NewTopics(Topics.newTopics(properties.toSettings()).toArray(NewTopic[]::new));
  }
}
