package dev.imagejobs.webhooks.delivery;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A delivery claimed for one attempt, with what sending it needs.
 *
 * @param attempt the number of this attempt, from 1
 * @param scheduleStep the retry schedule's step a failure of this attempt waits for
 * @param secrets the endpoint's sealed secrets: the current one, then the previous one while it still signs
 */
record DueDelivery(long id, UUID endpointId, String eventId, String eventType, Instant occurredAt, String data,
    int attempt, int scheduleStep, URI url, List<byte[]> secrets) {

  /** The {@code webhook-id}: the same on every attempt, so receivers can drop what they already had. */
  String messageId() {
    return "msg_" + eventId;
  }
}
