package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.ratelimit.Refusals;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Bounds the event streams open on this gateway instance, in all ({@code imagejobs.sse.max-streams})
 * and per tenant ({@code imagejobs.sse.max-streams-per-tenant}). Each open stream holds a
 * connection, buffers and a share of every event's fan-out, so neither one tenant nor a storm of
 * reconnecting clients can take them all: past a bound a new stream is refused with {@code 429} and
 * {@code Retry-After}, and the streams already open are not touched.
 */
@Component
class OpenStreams {
  private final StreamSettings settings;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> byTenant = new ConcurrentHashMap<>();

  OpenStreams(StreamSettings settings) {
    this.settings = settings;
  }

  /**
   * Counts a new stream of {@code tenantId}.
   *
   * @return what to run when the stream ends, which releases it (running it again does nothing)
   * @throws ErrorResponseException a {@code 429} problem when a bound is reached
   */
  Runnable admit(String tenantId) {
    if (open.incrementAndGet() > settings.maxStreams()) {
      open.decrementAndGet();
      throw refused("This gateway has as many event streams open as it allows (" + settings.maxStreams() + ")");
    }
    AtomicBoolean admitted = new AtomicBoolean();
    byTenant.compute(tenantId, (tenant, streams) -> {
      int count = streams == null ? 0 : streams;
      if (count >= settings.maxStreamsPerTenant()) {
        return streams;
      }
      admitted.set(true);
      return count + 1;
    });
    if (!admitted.get()) {
      open.decrementAndGet();
      throw refused("This tenant has as many event streams open on this gateway as it allows ("
          + settings.maxStreamsPerTenant() + "); close one");
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        byTenant.computeIfPresent(tenantId, (tenant, streams) -> streams <= 1 ? null : streams - 1);
        open.decrementAndGet();
      }
    };
  }

  /** Streams open on this instance. */
  int open() {
    return open.get();
  }

  /** Streams of {@code tenantId} open on this instance. */
  int openOf(String tenantId) {
    return byTenant.getOrDefault(tenantId, 0);
  }

  private ErrorResponseException refused(String reason) {
    long seconds = Math.max(1, (settings.clientRetry().toMillis() + 999) / 1000);
    return Refusals.retryLater(HttpStatus.TOO_MANY_REQUESTS, "Too many event streams",
        reason + "; try again in " + seconds + " s", seconds);
  }
}
