package dev.imagejobs.webhooks.intake;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.webhooks.delivery.DeliveryDispatcher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The intake: reads the topics into deliveries, and wakes the dispatcher when it wrote some. */
@Configuration(proxyBeanMethods = false)
class IntakeConfiguration {

  @Bean
  WebhookIntake webhookIntake(ConsumerFactory<?, ?> consumers, TopicNames names,
      LifecycleCodec codec, JsonMapper json, JdbcTemplate jdbc, TransactionTemplate transactions,
      DeliveryDispatcher dispatcher) {
    return new WebhookIntake(consumers, names, new LifecycleRecords(codec),
        new WebhookPayloads(json), new IntakeStore(jdbc, transactions), dispatcher::wake);
  }
}
