package dev.imagejobs.gateway.webhooks;

import dev.imagejobs.messaging.WebhookProperties;
import dev.imagejobs.outbound.OutboundUrlPolicy;
import dev.imagejobs.outbound.WebhookClient;
import java.util.Set;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The client that sends test pings, under the same address rules as the webhook service's deliveries. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
class WebhooksConfiguration {

  /** Pings are rare: a few connections are plenty. */
  private static final int PING_CONNECTIONS = 8;

  @Bean(destroyMethod = "close")
  WebhookClient webhookPingClient(WebhookProperties settings) {
    OutboundUrlPolicy urls = new OutboundUrlPolicy("webhook URL", settings.allowHttp(), Set.of(),
        settings.allowPrivateAddresses());
    return new WebhookClient(urls, settings.connectTimeout(), settings.timeout(), PING_CONNECTIONS);
  }
}
