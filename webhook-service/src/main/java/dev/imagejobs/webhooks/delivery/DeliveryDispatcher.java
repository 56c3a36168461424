package dev.imagejobs.webhooks.delivery;

import dev.imagejobs.messaging.WebhookMessages;
import dev.imagejobs.messaging.WebhookProperties;
import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.outbound.WebhookClient;
import dev.imagejobs.outbound.WebhookResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Sends the deliveries that have come due. One thread looks for them every poll interval (at once
 * when the intake wrote some, or an attempt ended): it turns the budget thresholds crossed since
 * into deliveries, then claims as many as this instance may still send
 * — at most {@code max-in-flight}, and {@code max-in-flight-per-endpoint} to one endpoint, so a
 * slow endpoint holds up only its own deliveries — and sends each without holding a thread while it
 * waits. Each outcome is recorded, on a small pool, before the delivery's next event may go.
 */
public class DeliveryDispatcher implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);
  private static final Duration CLEANUP_INTERVAL = Duration.ofHours(1);

  private final Deliveries deliveries;
  private final WebhookClient client;
  private final SecretBox secrets;
  private final RetrySchedule retries;
  private final WebhookProperties settings;
  private final Clock clock;
  private final Map<UUID, Integer> sending = new HashMap<>();
  private final AtomicBoolean lookScheduled = new AtomicBoolean();
  private final Timer latency;
  private final MeterRegistry meters;
  private ScheduledExecutorService looker;
  private ExecutorService recorder;
  private Instant nextCleanup = Instant.MIN;
  private volatile boolean running;

  DeliveryDispatcher(Deliveries deliveries, WebhookClient client, SecretBox secrets, RetrySchedule retries,
      WebhookProperties settings, Clock clock, MeterRegistry meters) {
    this.deliveries = deliveries;
    this.client = client;
    this.secrets = secrets;
    this.retries = retries;
    this.settings = settings;
    this.clock = clock;
    this.meters = meters;
    this.latency = Timer.builder("imagejobs.webhooks.attempt.latency")
        .description("How long endpoints take to answer a delivery").publishPercentileHistogram().register(meters);
  }

  @Override
  public synchronized void start() {
    looker = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "webhook-dispatcher"));
    recorder = Executors.newFixedThreadPool(2, runnable -> new Thread(runnable, "webhook-recorder"));
    running = true;
    long every = settings.pollInterval().toMillis();
    looker.scheduleWithFixedDelay(this::look, 0, every, TimeUnit.MILLISECONDS);
  }

  /** Looks for due deliveries now, rather than at the next poll interval. */
  public void wake() {
    if (running && lookScheduled.compareAndSet(false, true)) {
      looker.execute(() -> {
        lookScheduled.set(false);
        look();
      });
    }
  }

  private void look() {
    if (!running) {
      return;
    }
    try {
      int free;
      Map<UUID, Integer> busy;
      synchronized (sending) {
        free = settings.maxInFlight() - sending.values().stream().mapToInt(Integer::intValue).sum();
        busy = Map.copyOf(sending);
      }
      deliveries.fanOutBudgetAlerts();
      if (free > 0) {
        List<DueDelivery> due = deliveries.claim(free, busy, settings.maxInFlightPerEndpoint(), lease());
        for (DueDelivery delivery : due) {
          send(delivery);
        }
      }
      cleanUpNowAndThen();
    } catch (RuntimeException e) {
      log.warn("Could not look for due webhook deliveries: {}", e.getMessage());
    }
  }

  private void send(DueDelivery delivery) {
    List<String> signing;
    try {
      signing = delivery.secrets().stream().map(secrets::open).toList();
    } catch (IllegalArgumentException e) {
      // The key is not the one the gateway sealed with: the delivery comes due again after its
      // lease, and is sent once the services share the key again.
      log.error("Cannot open the secret of webhook endpoint {}: {}", delivery.endpointId(), e.getMessage());
      return;
    }
    synchronized (sending) {
      sending.merge(delivery.endpointId(), 1, Integer::sum);
    }
    Instant attemptedAt = clock.instant();
    String body = WebhookMessages.body(delivery.eventType(), delivery.occurredAt(), delivery.data());
    client.post(delivery.url(), WebhookMessages.headers(delivery.messageId(), signing, body, attemptedAt), body)
        .thenAcceptAsync(response -> record(delivery, attemptedAt, response), recorder)
        .whenComplete((ignored, failure) -> {
          synchronized (sending) {
            sending.computeIfPresent(delivery.endpointId(), (endpoint, count) -> count > 1 ? count - 1 : null);
          }
          if (failure != null) {
            // Not recorded (the database is away): its lease runs out and it is claimed again.
            log.warn("Could not record the attempt of webhook delivery {}: {}", delivery.id(), failure.getMessage());
          }
          wake();
        });
  }

  private void record(DueDelivery delivery, Instant attemptedAt, WebhookResponse response) {
    if (response.status() != 0) {
      latency.record(response.latency());
    }
    if (response.delivered()) {
      deliveries.delivered(delivery, attemptedAt, response);
      meters.counter("imagejobs.webhooks.deliveries", "outcome", "delivered").increment();
      return;
    }
    Duration retryIn = retries.delay(delivery.scheduleStep()).orElse(null);
    String disabled = deliveries.failed(delivery, attemptedAt, response, retryIn, settings.disableAfter());
    meters.counter("imagejobs.webhooks.deliveries", "outcome", retryIn == null ? "failed" : "retried").increment();
    if (disabled != null) {
      log.warn("Webhook endpoint {} disabled: {}", delivery.endpointId(), disabled);
    }
  }

  /** Long enough for the request to time out and its outcome to be recorded. */
  private Duration lease() {
    return settings.connectTimeout().plus(settings.timeout()).multipliedBy(2).plusSeconds(30);
  }

  private void cleanUpNowAndThen() {
    Instant now = clock.instant();
    if (now.isBefore(nextCleanup)) {
      return;
    }
    nextCleanup = now.plus(CLEANUP_INTERVAL);
    int forgotten = deliveries.forget(settings.logRetention());
    if (forgotten > 0) {
      log.info("Forgot {} webhook deliveries that ended more than {} ago", forgotten, settings.logRetention());
    }
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (looker != null) {
      looker.shutdownNow();
      recorder.shutdown();
      try {
        // Outcomes of requests already answered are recorded; the rest come due again after their lease.
        recorder.awaitTermination(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
