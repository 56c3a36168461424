package dev.imagejobs.messaging;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhooks ({@code imagejobs.webhooks.*}), shared by the gateway (registration, its test ping,
 * secrets) and the webhook service (deliveries): both seal and open the same secrets and send to
 * the same addresses under the same rules. Each service enables the record itself.
 *
 * @param encryptionKey the key endpoint secrets are sealed with at rest: standard base64 of 32
 *     random bytes (AES-256-GCM); webhooks are off in the gateway, and the webhook service does not
 *     start, without it
 * @param allowPrivateAddresses whether endpoints may resolve to loopback, private and other internal
 *     addresses (a receiver on the local network or the local stack); off in production
 * @param allowHttp whether endpoints may use plain http
 * @param connectTimeout how long a delivery or ping waits to connect
 * @param timeout how long a delivery or ping waits for the endpoint's answer
 * @param secretRotationOverlap how long the previous secret still signs deliveries after a rotation
 * @param retrySchedule the delays before each retry of a failed delivery; the delivery fails for
 *     good after the last (the default retries for a little over a day)
 * @param jitter the share by which each delay is varied at random, up or down (0 to 1)
 * @param disableAfter how long an endpoint may fail every attempt before it is disabled
 * @param maxInFlight deliveries one webhook service instance sends at once
 * @param maxInFlightPerEndpoint deliveries one instance sends at once to one endpoint, so a slow
 *     endpoint never holds up the others
 * @param pollInterval how often the webhook service looks for deliveries that have come due
 * @param logRetention how long delivered and failed deliveries stay in the delivery log
 */
@ConfigurationProperties("imagejobs.webhooks")
public record WebhookProperties(
    String encryptionKey,
    @DefaultValue("false") boolean allowPrivateAddresses,
    @DefaultValue("false") boolean allowHttp,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("15s") Duration timeout,
    @DefaultValue("24h") Duration secretRotationOverlap,
    @DefaultValue({"5s", "5m", "30m", "2h", "5h", "10h", "10h"}) List<Duration> retrySchedule,
    @DefaultValue("0.2") double jitter,
    @DefaultValue("5d") Duration disableAfter,
    @DefaultValue("64") int maxInFlight,
    @DefaultValue("4") int maxInFlightPerEndpoint,
    @DefaultValue("500ms") Duration pollInterval,
    @DefaultValue("30d") Duration logRetention) {

  public WebhookProperties {
    retrySchedule = List.copyOf(retrySchedule);
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("imagejobs.webhooks.jitter must be between 0 and 1, not " + jitter);
    }
    if (maxInFlight < 1 || maxInFlightPerEndpoint < 1) {
      throw new IllegalArgumentException("imagejobs.webhooks.max-in-flight and max-in-flight-per-endpoint must be at least 1");
    }
  }

  /** Whether webhooks can be used: a key to seal secrets with is set. */
  public boolean configured() {
    return encryptionKey != null && !encryptionKey.isBlank();
  }
}
