package dev.imagejobs.gateway.webhooks;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Changes to an endpoint; what is left out stays as it is.
 *
 * @param url a new URL, pinged before it is taken
 * @param eventTypes the events it wants from now on
 * @param description a new note
 * @param enabled {@code true} enables a disabled endpoint again (its pending deliveries resume),
 *     {@code false} pauses it
 */
public record WebhookEndpointUpdate(
    @Size(min = 1, max = WebhookEndpointRequest.MAX_URL, message = "must be 1 to 2048 characters") String url,
    @Size(min = 1, message = "must name at least one event type") List<@NotNull String> eventTypes,
    @Size(max = 500, message = "must be at most 500 characters") String description,
    Boolean enabled) {}
