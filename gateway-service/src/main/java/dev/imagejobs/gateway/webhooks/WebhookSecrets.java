package dev.imagejobs.gateway.webhooks;

import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.WebhookProperties;
import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.outbound.WebhookSecret;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Makes endpoint secrets and seals them for the database with the configured key. Without a key
 * webhooks are off: their routes answer 503 and say which setting turns them on.
 */
@Component
class WebhookSecrets {
  private final SecretBox box;

  WebhookSecrets(WebhookProperties settings) {
    this.box = settings.configured() ? new SecretBox(settings.encryptionKey()) : null;
  }

  /** Refuses the request when webhooks are off. */
  void requireConfigured() {
    if (box == null) {
      ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
          "Webhooks are not set up on this deployment (IMAGEJOBS_WEBHOOKS_ENCRYPTION_KEY)");
      problem.setTitle("Webhooks unavailable");
      throw new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, null);
    }
  }

  /** {@code secret} when it is a valid signing secret; else the request is refused naming {@code field}. */
  String checked(String secret, String field) {
    try {
      WebhookSecret.key(secret);
      return secret;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field, "must be whsec_ followed by the base64 of 24 to 64 bytes");
    }
  }

  String generate() {
    return WebhookSecret.generate();
  }

  /** The current secret, then the previous one while it still signs, unsealed. */
  List<String> open(List<byte[]> sealed) {
    requireConfigured();
    return sealed.stream().map(box::open).toList();
  }

  byte[] seal(String secret) {
    requireConfigured();
    return box.seal(secret);
  }
}
