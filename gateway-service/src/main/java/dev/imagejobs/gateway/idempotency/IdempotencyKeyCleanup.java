package dev.imagejobs.gateway.idempotency;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes expired idempotency keys every {@code imagejobs.idempotency.cleanup-interval}. Expired
 * keys are already ignored by every lookup, so this only bounds the table; several instances may
 * run it side by side.
 */
@Component
class IdempotencyKeyCleanup implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyCleanup.class);

  private final IdempotencyKeys keys;
  private final IdempotencySettings settings;
  private volatile Disposable schedule;

  IdempotencyKeyCleanup(IdempotencyKeys keys, IdempotencySettings settings) {
    this.keys = keys;
    this.settings = settings;
  }

  @Override
  public synchronized void start() {
    if (schedule == null) {
      schedule = Flux.interval(settings.cleanupInterval(), settings.cleanupInterval())
          .onBackpressureDrop()
          .concatMap(tick -> cleanUp(), 1)
          .subscribe();
    }
  }

  /** One cleanup pass; a failure is logged and the next pass tries again. */
  Mono<Long> cleanUp() {
    return keys.deleteExpired()
        .doOnNext(deleted -> {
          if (deleted > 0) {
            log.info("Deleted {} expired idempotency keys", deleted);
          }
        })
        .onErrorResume(e -> {
          log.warn("Deleting expired idempotency keys failed, will retry: {}", e.toString());
          return Mono.empty();
        });
  }

  @Override
  public synchronized void stop() {
    if (schedule != null) {
      schedule.dispose();
      schedule = null;
    }
  }

  @Override
  public boolean isRunning() {
    return schedule != null;
  }
}
