package dev.imagejobs.webhooks.budgets;

import dev.imagejobs.messaging.RawRecords;
import dev.imagejobs.messaging.WebhookProperties;
import dev.imagejobs.schemas.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/** The budget events: published as often as the dispatcher looks for due deliveries. */
@Configuration(proxyBeanMethods = false)
class BudgetEventsConfiguration {
  /** How long a round waits for the broker's acknowledgements before it rolls back and tries again. */
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  @Bean
  BudgetEventPublisher budgetEventPublisher(JdbcTemplate jdbc, TransactionTemplate transactions,
      ProducerFactory<?, ?> producers, TopicNames names, WebhookProperties settings, MeterRegistry meters) {
    return new BudgetEventPublisher(jdbc, transactions, RawRecords.template(producers), names.budgets(),
        settings.pollInterval(), SEND_TIMEOUT, meters);
  }
}
