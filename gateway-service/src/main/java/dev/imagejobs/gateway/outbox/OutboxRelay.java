package dev.imagejobs.gateway.outbox;

import dev.imagejobs.gateway.database.DatabaseConfiguration;
import dev.imagejobs.gateway.database.DedicatedDatabase;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Publishes outbox rows to the lifecycle topic in id order, waits for the broker's
 * acknowledgements, then deletes them: at least once, since a crash between the two republishes
 * rows, which every consumer de-duplicates by event id. Runs on one thread of its own, woken after
 * each job creation and by a short poll.
 *
 * <p>A pass leases its rows in one short statement and holds no transaction while it waits for the
 * broker: an open transaction would hold back every reader of event positions. Several gateway
 * instances relay side by side without publishing a row twice at the same time ({@code FOR UPDATE
 * SKIP LOCKED} while leasing, then the lease); a lease whose relay died runs out and another relay
 * publishes the row.
 */
@Component
public class OutboxRelay implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  /** An outage fails a pass every poll interval; one line per this many keeps the log readable. */
  private static final int LOG_EVERY_FAILED_PASSES = 40;
  /** The span of an outbox row's publication. */
  static final String PUBLISH = "image-jobs.outbox.publish";

  /**
   * Only the oldest pending row of each job is eligible, so one job's events are never in flight
   * together, neither in one batch nor across instances: a failed send cannot let a later event
   * of the same job overtake it ({@code OutboxRelayIT}).
   */
  private static final String LEASE_BATCH = """
      UPDATE outbox SET leased_until = now() + :lease_ms * interval '1 millisecond'
      WHERE id IN (
        SELECT o.id FROM outbox o
        WHERE (o.leased_until IS NULL OR o.leased_until < now())
          AND NOT EXISTS (SELECT 1 FROM outbox earlier WHERE earlier.job_id = o.job_id AND earlier.id < o.id)
        ORDER BY o.id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED)
      RETURNING id, job_id, payload,
        EXISTS (SELECT 1 FROM outbox later WHERE later.job_id = outbox.job_id AND later.id > outbox.id) AS more""";

  private final DatabaseClient db;
  private final KafkaTemplate<String, SpecificRecord> kafka;
  private final JobTracing tracing;
  private final LifecycleCodec codec;
  private final OutboxSettings settings;
  private final String topic;
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  /** Passes failed in a row; only the relay thread touches it. */
  private int failedPasses;
  private volatile ScheduledExecutorService executor;

  OutboxRelay(
      @Qualifier(DatabaseConfiguration.BACKGROUND) DedicatedDatabase database,
      KafkaTemplate<String, SpecificRecord> lifecycleKafkaTemplate,
      LifecycleCodec codec,
      OutboxSettings settings,
      TopicNames names,
      JobTracing tracing) {
    this.db = database.client();
    this.kafka = lifecycleKafkaTemplate;
    this.topic = names.lifecycle();
    this.tracing = tracing;
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
        Pass pass = publishBatch();
        if (pass != null && !pass.failed() && failedPasses > 0) {
          log.info("Outbox relay recovered after {} failed passes", failedPasses);
          failedPasses = 0;
        }
        // A job's next event only becomes eligible once its previous one is gone: keep going while
        // a pass published such a row or filled its batch. Rows written meanwhile wake the relay.
        if (pass == null || pass.failed() || !pass.more()) {
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

  private Pass publishBatch() {
    Duration timeout = settings.sendTimeout().plus(Duration.ofSeconds(30));
    List<Row> rows = db.sql(LEASE_BATCH)
        .bind("lease_ms", lease().toMillis())
        .bind("limit", settings.batchSize())
        .map(row -> new Row(row.get("id", Long.class), row.get("job_id", String.class),
            row.get("payload", byte[].class), Boolean.TRUE.equals(row.get("more", Boolean.class))))
        .all()
        .collectList()
        .block(timeout);
    if (rows == null || rows.isEmpty()) {
      return new Pass(false, false);
    }
    rows.sort(Comparator.comparingLong(Row::id));
    Sent sent = send(rows);
    delete(sent.acknowledged()).block(timeout);
    if (sent.failed()) {
      // Given back at once, so the next pass tries them again without waiting for the lease to run out.
      List<Long> unsent = rows.stream().map(Row::id).filter(id -> !sent.acknowledged().contains(id)).toList();
      release(unsent).block(timeout);
    }
    boolean more = rows.size() == settings.batchSize() || rows.stream().anyMatch(Row::more);
    return new Pass(sent.failed(), more);
  }

  /** How long a leased row is reserved for its relay: longer than any pass can take. */
  private Duration lease() {
    return settings.sendTimeout().multipliedBy(2).plusSeconds(30);
  }

  private Sent send(List<Row> rows) {
    List<CompletableFuture<?>> futures = new ArrayList<>(rows.size());
    for (Row row : rows) {
      try {
        LifecycleEvent event = codec.decode(row.payload());
        // A span of the request's trace (the traceparent it stored), whose send writes the header.
        futures.add(tracing.continuing(event.metadata().getTraceparent(), PUBLISH, row.jobId(),
            () -> kafka.send(new ProducerRecord<>(topic, row.jobId(), event.payload()))));
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

  private Mono<Void> release(List<Long> ids) {
    if (ids.isEmpty()) {
      return Mono.empty();
    }
    return db.sql("UPDATE outbox SET leased_until = NULL WHERE id = ANY(:ids)")
        .bind("ids", ids.toArray(Long[]::new))
        .fetch()
        .rowsUpdated()
        .then();
  }

  /** A leased row; {@code more} when its job has later rows waiting for it. */
  private record Row(long id, String jobId, byte[] payload, boolean more) {}

  private record Sent(List<Long> acknowledged, boolean failed) {}

  /** What a pass did; {@code more} when rows may be waiting that no wake-up will announce. */
  private record Pass(boolean failed, boolean more) {}
}
