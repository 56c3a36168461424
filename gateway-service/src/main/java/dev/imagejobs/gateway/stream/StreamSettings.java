package dev.imagejobs.gateway.stream;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How event streams run.
 *
 * @param heartbeatInterval how often a stream sends a comment, so proxies do not close an idle one
 * @param rereadInterval how often the event feed reads the history without a wake-up, in case one
 *     was lost (wake-ups are the normal path; this only bounds the delay of a lost one)
 * @param heldBackRetry how soon the feed reads again when committed events wait for an older
 *     transaction to end
 * @param maxBufferedEvents events a stream may fall behind its client before it is ended (the
 *     client resumes from its last id)
 * @param clientRetry the reconnection delay suggested to clients ({@code retry:})
 * @param pageSize history rows read per query
 * @param listenerMinBackoff first pause before the notification connection is opened again
 * @param listenerMaxBackoff longest pause between attempts to open it again
 * @param listenerCheckInterval how often the notification connection is checked with a query
 * @param maxStreams event streams this instance keeps open at once, every tenant together
 * @param maxStreamsPerTenant event streams one tenant may keep open on this instance
 */
@ConfigurationProperties("imagejobs.sse")
record StreamSettings(
    @DefaultValue("15s") Duration heartbeatInterval,
    @DefaultValue("5s") Duration rereadInterval,
    @DefaultValue("5ms") Duration heldBackRetry,
    @DefaultValue("1000") int maxBufferedEvents,
    @DefaultValue("3s") Duration clientRetry,
    @DefaultValue("200") int pageSize,
    @DefaultValue("250ms") Duration listenerMinBackoff,
    @DefaultValue("10s") Duration listenerMaxBackoff,
    @DefaultValue("30s") Duration listenerCheckInterval,
    @DefaultValue("10000") int maxStreams,
    @DefaultValue("1000") int maxStreamsPerTenant) {

  StreamSettings {
    requirePositive(heartbeatInterval, "heartbeat-interval");
    requirePositive(rereadInterval, "reread-interval");
    requirePositive(heldBackRetry, "held-back-retry");
    if (maxBufferedEvents < 1) {
      throw new IllegalArgumentException("imagejobs.sse.max-buffered-events must be at least 1");
    }
    requirePositive(clientRetry, "client-retry");
    requirePositive(listenerMinBackoff, "listener-min-backoff");
    requirePositive(listenerMaxBackoff, "listener-max-backoff");
    requirePositive(listenerCheckInterval, "listener-check-interval");
    if (maxStreams < 1 || maxStreamsPerTenant < 1) {
      throw new IllegalArgumentException("imagejobs.sse.max-streams and max-streams-per-tenant must be at least 1");
    }
    if (pageSize < 1) {
      throw new IllegalArgumentException("imagejobs.sse.page-size must be at least 1");
    }
  }

  private static void requirePositive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("imagejobs.sse." + name + " must be positive");
    }
  }
}
