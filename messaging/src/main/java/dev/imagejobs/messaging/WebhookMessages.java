package dev.imagejobs.messaging;

import dev.imagejobs.outbound.WebhookSignature;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The one shape of a webhook, for the gateway's test ping and the webhook service's deliveries: a
 * JSON body {@code {"type", "timestamp", "data"}} and the Standard Webhooks headers, signed with
 * every secret given (the previous one too while a rotation overlaps).
 */
public final class WebhookMessages {
  public static final String ID = "webhook-id";
  public static final String TIMESTAMP = "webhook-timestamp";
  public static final String SIGNATURE = "webhook-signature";

  private WebhookMessages() {}

  /**
   * The body: {@code dataJson} (a JSON object) under the type and time of the event it tells of.
   * The same for every attempt, so a receiver may compare redeliveries byte for byte.
   */
  public static String body(String type, Instant occurredAt, String dataJson) {
    return "{\"type\":\"" + type + "\",\"timestamp\":\"" + occurredAt + "\",\"data\":" + dataJson + "}";
  }

  /** The headers of one attempt at {@code now}, signed with each of {@code secrets} (newest first). */
  public static Map<String, String> headers(String messageId, List<String> secrets, String body, Instant now) {
    long timestamp = now.getEpochSecond();
    return Map.of(ID, messageId, TIMESTAMP, Long.toString(timestamp),
        SIGNATURE, WebhookSignature.header(secrets, messageId, timestamp, body));
  }
}
