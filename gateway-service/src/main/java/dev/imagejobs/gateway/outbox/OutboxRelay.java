package dev.imagejobs.gateway.outbox;

import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes outbox rows to the lifecycle topic in id order, waits for the broker's
 * acknowledgements, then deletes them: at least once, since a crash between the two republishes
 * rows, which every consumer de-duplicates by event id. Runs on one thread of its own, woken after
 * each job creation and by a short poll. {@code FOR UPDATE SKIP LOCKED} lets several gateway
 * instances relay side by side without publishing a row twice at the same time.
 */
@Component
public class OutboxRelay implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  /** An outage fails a pass every poll interval; one line per this many keeps the log readable. */
  private static final int LOG_EVERY_FAILED_PASSES = 40;

  /**
   * Only the oldest pending row of each job is eligible, so one job's events are never in flight
   * together, neither in one batch nor across instances: a failed send cannot let a later event
   * of the same job overtake it ({@code OutboxRelayIT}).
   */
  private static final String LOCK_BATCH = """
      SELECT o.id, o.job_id, o.payload FROM outbox o
      WHERE NOT EXISTS (SELECT 1 FROM outbox earlier WHERE earlier.job_id = o.job_id AND earlier.id < o.id)
      ORDER BY o.id
      LIMIT :limit
      FOR UPDATE SKIP LOCKED""";

  private final DatabaseClient db;
  private final TransactionalOperator transaction;
  private final KafkaTemplate<String, SpecificRecord> kafka;
  private final LifecycleCodec codec;
  private final OutboxSettings settings;
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  /** Passes failed in a row; only the relay thread touches it. */
  private int failedPasses;
  private volatile ScheduledExecutorService executor;

  OutboxRelay(
      DatabaseClient db,
      TransactionalOperator transaction,
      KafkaTemplate<String, SpecificRecord> lifecycleKafkaTemplate,
      LifecycleCodec codec,
      OutboxSettings settings) {
    this.db = db;
    this.transaction = transaction;
    this.kafka = lifecycleKafkaTemplate;
    this.codec = codec;
    this.settings = settings;
  }

  /** Asks for a relay pass as soon as possible; cheap, and coalesced when one is already queued. */
  public void wake() {
    ScheduledExecutorService current = executor;
    if (current != null && wakeQueued.compareAndSet(false, true)) {
      try {
        current.execute(() -> {
          wakeQueued.set(false);
          drain();
        });
      } catch (RejectedExecutionException e) {
        wakeQueued.set(false);
      }
    }
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "outbox-relay");
      thread.setDaemon(true);
      return thread;
    });
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long interval = settings.pollInterval().toMillis();
    pool.scheduleWithFixedDelay(this::drain, 0, interval, TimeUnit.MILLISECONDS);
    executor = pool;
  }

  @Override
  public synchronized void stop() {
    ScheduledExecutorService current = executor;
    if (current == null) {
      return;
    }
    executor = null;
    current.shutdown();
    try {
      if (!current.awaitTermination(settings.sendTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        current.shutdownNow();
      }
    } catch (InterruptedException e) {
      current.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }

  /**
   * Starts before the web server accepts requests and stops only after it has drained them, so
   * rows written by the last requests still go out before shutdown.
   */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 3072;
  }

  /** Publishes batches until the outbox is empty or a batch could not be fully published. */
  void drain() {
    try {
      while (executor != null) {
        Pass pass = publishBatch().block(settings.sendTimeout().plus(Duration.ofSeconds(30)));
        if (pass != null && !pass.failed() && failedPasses > 0) {
          log.info("Outbox relay recovered after {} failed passes", failedPasses);
          failedPasses = 0;
        }
        // A job's next event only becomes eligible once its previous one is gone, so keep going
        // until a pass finds nothing rather than stopping at the first short batch.
        if (pass == null || pass.failed() || pass.published() == 0) {
          return;
        }
      }
    } catch (RuntimeException e) {
      // The scheduled task must never throw, or the executor would cancel the poll for good.
      failedPasses++;
      if (failedPasses == 1 || failedPasses % LOG_EVERY_FAILED_PASSES == 0) {
        log.warn("Outbox relay pass failed ({} in a row), retrying every {}: {}",
            failedPasses, settings.pollInterval(), e.toString());
      }
    }
  }

  private Mono<Pass> publishBatch() {
    Mono<Pass> pass = db.sql(LOCK_BATCH)
        .bind("limit", settings.batchSize())
        .map(row -> new Row(
            row.get("id", Long.class), row.get("job_id", String.class), row.get("payload", byte[].class)))
        .all()
        .collectList()
        .flatMap(rows -> rows.isEmpty()
            ? Mono.just(new Pass(0, false))
            // Waiting for acknowledgements blocks, so it must not run on a database event-loop thread.
            : Mono.fromCallable(() -> send(rows))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(sent -> delete(sent.acknowledged())
                    .thenReturn(new Pass(sent.acknowledged().size(), sent.failed()))));
    return transaction.transactional(pass);
  }

  private Sent send(List<Row> rows) {
    List<CompletableFuture<?>> futures = new ArrayList<>(rows.size());
    for (Row row : rows) {
      try {
        SpecificRecord event = codec.decode(row.payload()).payload();
        futures.add(kafka.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), row.jobId(), event)));
      } catch (RuntimeException e) {
        futures.add(CompletableFuture.failedFuture(e));
      }
    }
    long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
    List<Long> acknowledged = new ArrayList<>(rows.size());
    boolean failed = false;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      try {
        futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        acknowledged.add(row.id());
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        log.warn("Outbox row {} of job {} not published, will retry: {}", row.id(), row.jobId(), cause.toString());
        failed = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed = true;
        break;
      }
    }
    return new Sent(acknowledged, failed);
  }

  private Mono<Void> delete(List<Long> ids) {
    if (ids.isEmpty()) {
      return Mono.empty();
    }
    return db.sql("DELETE FROM outbox WHERE id = ANY(:ids)")
        .bind("ids", ids.toArray(Long[]::new))
        .fetch()
        .rowsUpdated()
        .then();
  }

  private record Row(long id, String jobId, byte[] payload) {}

  private record Sent(List<Long> acknowledged, boolean failed) {}

  private record Pass(int published, boolean failed) {}
}
