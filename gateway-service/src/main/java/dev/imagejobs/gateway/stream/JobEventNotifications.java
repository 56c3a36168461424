package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.readmodel.ReadModel;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Listens on the read model's notification channel over one dedicated connection per gateway
 * instance and hands the wake-ups to the {@link EventFeed}. Notifications are sent by the
 * transactions of the projection (of any instance), so they arrive only after commit. The
 * connection is checked periodically; after any failure it is opened again with backoff and a
 * {@link EventSignal#RESYNC} makes the feed read again, so nothing committed while it was down waits
 * for the feed's periodic read.
 */
final class JobEventNotifications implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(JobEventNotifications.class);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionFactory connections;
  private final StreamSettings settings;
  private final Sinks.Many<EventSignal> signals = Sinks.many().multicast().directBestEffort();
  private volatile Disposable listening;
  private volatile boolean connected;
  private volatile int failures;

  JobEventNotifications(ConnectionFactory connections, StreamSettings settings) {
    this.connections = connections;
    this.settings = settings;
  }

  /** Hot wake-ups; subscribe before reading, so nothing committed in between goes unnoticed. */
  Flux<EventSignal> signals() {
    return signals.asFlux();
  }

  /** Whether the notification connection is listening right now. */
  boolean isConnected() {
    return connected;
  }

  @Override
  public synchronized void start() {
    if (listening != null) {
      return;
    }
    listening = Flux.defer(this::listenOnce)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, settings.listenerMinBackoff())
            .maxBackoff(settings.listenerMaxBackoff())
            .transientErrors(true)
            .doBeforeRetry(retry -> {
              failures++;
              if (failures == 1 || failures % 20 == 0) {
                log.warn("Event notification connection lost ({} failures in a row), reconnecting: {}",
                    failures, retry.failure().toString());
              }
            }))
        .subscribe(signals::tryEmitNext,
            error -> log.error("Event notifications stopped; streams fall back to periodic reads", error));
  }

  private Flux<EventSignal> listenOnce() {
    return Flux.usingWhen(
        Mono.from(connections.create()).cast(PostgresqlConnection.class),
        connection -> {
          // Subscribed before LISTEN runs, so no notification falls between the two.
          Flux<EventSignal> notifications = connection.getNotifications()
              .map(notification -> EventSignal.COMMITTED);
          Flux<EventSignal> listen = connection.createStatement("LISTEN " + ReadModel.NOTIFY_CHANNEL).execute()
              .flatMap(PostgresqlResult::getRowsUpdated)
              .then(Mono.fromRunnable(this::listened))
              .thenMany(Flux.just(EventSignal.RESYNC));
          Flux<EventSignal> checks = Flux.interval(settings.listenerCheckInterval())
              .onBackpressureDrop()
              .concatMap(tick -> connection.createStatement("SELECT 1").execute()
                  .flatMap(result -> result.map((row, metadata) -> Boolean.TRUE))
                  .then()
                  .timeout(CHECK_TIMEOUT), 1)
              .thenMany(Flux.empty());
          return Flux.merge(notifications, listen, checks)
              .concatWith(Mono.error(() -> new IllegalStateException("notification connection closed")));
        },
        connection -> close(connection),
        (connection, error) -> close(connection),
        connection -> close(connection))
        .doFinally(signal -> connected = false);
  }

  private void listened() {
    connected = true;
    if (failures > 0) {
      log.info("Event notification connection restored after {} failures", failures);
    }
    failures = 0;
  }

  private static Mono<Void> close(PostgresqlConnection connection) {
    return Mono.from(connection.close()).onErrorResume(e -> Mono.empty());
  }

  @Override
  public synchronized void stop() {
    Disposable current = listening;
    listening = null;
    if (current != null) {
      current.dispose();
    }
    connected = false;
  }

  @Override
  public boolean isRunning() {
    return listening != null;
  }
}
