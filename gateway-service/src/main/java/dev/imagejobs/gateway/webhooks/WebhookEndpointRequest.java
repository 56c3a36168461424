package dev.imagejobs.gateway.webhooks;

import dev.imagejobs.gateway.web.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * An endpoint to register.
 *
 * @param projectId the project whose jobs it hears of
 * @param url where deliveries are posted: https (http only where configured), public address
 * @param eventTypes the events it wants: {@code job.completed}, {@code job.failed}, {@code job.canceled},
 *     {@code budget.threshold}, {@code batch.ended}
 * @param description a note for the people who read the list
 * @param secret the signing secret to use ({@code whsec_} and base64 of 24 to 64 bytes), so a receiver
 *     that verifies every request can verify the test ping too; one is made when left out
 */
public record WebhookEndpointRequest(
    @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String projectId,
    @NotBlank @Size(max = WebhookEndpointRequest.MAX_URL, message = "must be at most 2048 characters") String url,
    @NotEmpty List<@NotNull String> eventTypes,
    @Size(max = 500, message = "must be at most 500 characters") String description,
    String secret) {
  static final int MAX_URL = 2048;
}
