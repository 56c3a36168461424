package dev.imagejobs.gateway.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * One event for one endpoint, with every attempt to send it.
 *
 * @param id the delivery, for a redelivery
 * @param messageId the {@code webhook-id} it is sent with, the same on every attempt
 * @param jobId the job it tells of
 * @param eventType what happened
 * @param status {@code pending}, {@code delivered}, or {@code failed} once its retries are spent
 * @param nextAttemptAt when a pending delivery is tried next
 * @param createdAt when the event reached the webhook service
 * @param endedAt when it was delivered or failed for good
 * @param attempts every attempt, the first first
 */
public record WebhookDeliveryView(long id, String messageId, String jobId, String eventType, String status,
    Instant nextAttemptAt, Instant createdAt, Instant endedAt, List<Attempt> attempts) {

  /**
   * One attempt.
   *
   * @param attempt its number, from 1
   * @param attemptedAt when it was sent
   * @param statusCode the endpoint's HTTP status; null when no answer came
   * @param latencyMs how long the answer took
   * @param error why it failed without an answer (timed out, refused, ...)
   * @param response the start of the endpoint's answer
   */
  public record Attempt(int attempt, Instant attemptedAt, Integer statusCode, int latencyMs, String error,
      String response) {}
}
