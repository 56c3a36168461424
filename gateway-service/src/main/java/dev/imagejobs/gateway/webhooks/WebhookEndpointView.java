package dev.imagejobs.gateway.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * An endpoint as the API shows it. Its secret is shown once, when it is made (registration or
 * rotation), and never again.
 *
 * @param id the endpoint
 * @param projectId the project whose jobs it hears of
 * @param url where deliveries go
 * @param description the note it was given
 * @param eventTypes the events it wants
 * @param enabled whether it receives deliveries
 * @param disabledAt when it was disabled, by its owner or after failing too long
 * @param disabledReason why
 * @param failingSince since when every attempt to it has failed; null while it answers
 * @param previousSecretExpiresAt until when the secret before the last rotation still signs
 * @param createdAt when it was registered
 * @param secret the signing secret ({@code whsec_…}), only in the answer that made it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEndpointView(String id, String projectId, String url, String description, List<String> eventTypes,
    boolean enabled, Instant disabledAt, String disabledReason, Instant failingSince, Instant previousSecretExpiresAt,
    Instant createdAt, String secret) {

  WebhookEndpointView withSecret(String shownOnce) {
    return new WebhookEndpointView(id, projectId, url, description, eventTypes, enabled, disabledAt, disabledReason,
        failingSince, previousSecretExpiresAt, createdAt, shownOnce);
  }
}
