package dev.imagejobs.gateway.webhooks;

import dev.imagejobs.messaging.WebhookEventType;
import dev.imagejobs.messaging.WebhookMessages;
import dev.imagejobs.outbound.WebhookClient;
import dev.imagejobs.outbound.WebhookResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

/**
 * The signed test ping an endpoint must accept (any 2xx) before it is registered or takes a new
 * URL, so a typo or a receiver that cannot verify signatures is found at once rather than after a
 * day of failed deliveries.
 */
@Component
class WebhookPing {
  private final WebhookClient client;
  private final Clock clock;

  WebhookPing(WebhookClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Signed with each of {@code secrets}; completes when {@code url} accepted the ping, else fails with a 422 problem saying what it answered. */
  Mono<Void> ping(URI url, String endpointId, String projectId, List<String> secrets) {
    Instant now = clock.instant();
    String body = WebhookMessages.body(WebhookEventType.PING, now,
        "{\"endpointId\":\"" + endpointId + "\",\"projectId\":\"" + projectId + "\"}");
    String messageId = "msg_ping_" + UUID.randomUUID();
    return Mono.fromFuture(() -> client.post(url, WebhookMessages.headers(messageId, secrets, body, now), body))
        .flatMap(response -> response.delivered() ? Mono.<Void>empty() : Mono.error(refused(response)));
  }

  private static ErrorResponseException refused(WebhookResponse response) {
    String answer = response.status() == 0 ? response.error() : "it answered HTTP " + response.status();
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
        "The endpoint did not accept the test ping: " + answer);
    problem.setTitle("Webhook endpoint not reachable");
    return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, problem, null);
  }
}
