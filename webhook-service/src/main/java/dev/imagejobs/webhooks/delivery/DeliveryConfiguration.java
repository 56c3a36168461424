package dev.imagejobs.webhooks.delivery;

import dev.imagejobs.messaging.WebhookProperties;
import dev.imagejobs.outbound.OutboundUrlPolicy;
import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.outbound.WebhookClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The dispatcher and what it sends with: the URL rules, the HTTP client, the key that opens secrets. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class DeliveryConfiguration {

  @Bean(destroyMethod = "close")
  WebhookClient webhookClient(WebhookProperties settings) {
    OutboundUrlPolicy urls = new OutboundUrlPolicy("webhook URL", settings.allowHttp(), Set.of(),
        settings.allowPrivateAddresses());
    return new WebhookClient(urls, settings.connectTimeout(), settings.timeout(), settings.maxInFlight());
  }

  @Bean
  DeliveryDispatcher deliveryDispatcher(JdbcTemplate jdbc, TransactionTemplate transactions, WebhookClient client,
      WebhookProperties settings, Clock clock, MeterRegistry meters) {
    if (!settings.configured()) {
      throw new IllegalStateException("imagejobs.webhooks.encryption-key (IMAGEJOBS_WEBHOOKS_ENCRYPTION_KEY) is not set:"
          + " the webhook service needs the key the gateway seals endpoint secrets with");
    }
    RetrySchedule retries = new RetrySchedule(settings.retrySchedule(), settings.jitter(),
        () -> ThreadLocalRandom.current().nextDouble());
    return new DeliveryDispatcher(new Deliveries(jdbc, transactions), client, new SecretBox(settings.encryptionKey()),
        retries, settings, clock, meters);
  }
}
