package dev.imagejobs.gateway.projection;

import dev.imagejobs.gateway.readmodel.ApplyOutcome;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.ConsumedEvent;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordPosition;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.UndecodableEventException;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Projects the lifecycle topic into the read model on one dedicated thread with a plain consumer.
 * Offsets live in Postgres, not in Kafka: on assignment each partition seeks to its stored offset,
 * and each polled batch is applied with a few set-based statements ({@link ReadModel#apply})
 * together with its new offsets in one transaction, so a crash at any point neither loses nor
 * repeats a change. A failing batch (Postgres down) is rolled back,
 * its partitions are rewound to the stored offsets and it is retried after a backoff.
 */
public final class ReadModelProjector implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ReadModelProjector.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final Supplier<Consumer<String, byte[]>> consumerFactory;
  private final String topic;
  private final ReadModel readModel;
  private final ProjectionOffsets offsets;
  private final DeadLetters deadLetters;
  private final TransactionalOperator transaction;
  private final LifecycleCodec codec;
  private final ProjectionSettings settings;
  private final ProjectionStats stats;
  private final CommittedEvents committed;

  private final JobTracing tracing;
  private volatile boolean running;
  private volatile int consecutiveFailures;
  private volatile String lastFailure;
  private volatile Thread thread;
  private volatile Consumer<String, byte[]> consumer;

  ReadModelProjector(
      Supplier<Consumer<String, byte[]>> consumerFactory,
      String topic,
      ReadModel readModel,
      ProjectionOffsets offsets,
      DeadLetters deadLetters,
      TransactionalOperator transaction,
      LifecycleCodec codec,
      ProjectionSettings settings,
      ProjectionStats stats,
      CommittedEvents committed,
      JobTracing tracing) {
    this.consumerFactory = consumerFactory;
    this.topic = topic;
    this.readModel = readModel;
    this.offsets = offsets;
    this.deadLetters = deadLetters;
    this.transaction = transaction;
    this.codec = codec;
    this.settings = settings;
    this.stats = stats;
    this.committed = committed;
    this.tracing = tracing;
  }

  @Override
  public synchronized void start() {
    if (running || !settings.enabled()) {
      return;
    }
    running = true;
    Thread worker = new Thread(this::run, "read-model-projector");
    worker.setDaemon(true);
    thread = worker;
    worker.start();
  }

  @Override
  public synchronized void stop() {
    Thread worker = thread;
    if (worker == null) {
      return;
    }
    running = false;
    Consumer<String, byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    try {
      // A batch in flight finishes (or times out) before the thread sees the stop.
      worker.join(settings.databaseTimeout().plus(CLOSE_TIMEOUT).plusSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      log.warn("Read-model projector did not stop in time");
    }
    thread = null;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Runs whenever the web server does, so health never reports it missing while requests flow. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }

  /** Whether the projection should be running here at all ({@code imagejobs.projection.enabled}). */
  boolean enabled() {
    return settings.enabled();
  }

  /** Batches or position lookups that failed since the last success; 0 when healthy. */
  int consecutiveFailures() {
    return consecutiveFailures;
  }

  String lastFailure() {
    return lastFailure;
  }

  private void run() {
    Consumer<String, byte[]> kafka;
    try {
      kafka = consumerFactory.get();
    } catch (RuntimeException e) {
      log.error("Read-model projector cannot create its consumer", e);
      running = false;
      return;
    }
    consumer = kafka;
    Positions positions = new Positions(kafka);
    try {
      kafka.subscribe(List.of(topic), positions);
      int failures = 0;
      Duration backoff = null;
      while (running) {
        try {
          if (backoff != null) {
            // Every partition is paused, so this poll only waits, keeping the consumer in its group.
            kafka.poll(backoff);
            backoff = null;
          }
          positions.seekUnpositioned();
          ConsumerRecords<String, byte[]> records = kafka.poll(settings.pollTimeout());
          if (!records.isEmpty()) {
            process(records);
          }
          failures = 0;
          consecutiveFailures = 0;
        } catch (WakeupException | InterruptException e) {
          throw e;
        } catch (RuntimeException e) {
          failures++;
          consecutiveFailures = failures;
          lastFailure = e.toString();
          stats.failedBatches.incrementAndGet();
          backoff = settings.backoff(failures);
          log.warn("Projection batch failed ({} in a row), retrying from the stored offsets in {}: {}",
              failures, backoff, e.toString());
          positions.rewindAll();
        }
      }
    } catch (WakeupException | InterruptException e) {
      if (running) {
        log.error("Read-model projector interrupted unexpectedly", e);
      }
    } catch (RuntimeException e) {
      log.error("Read-model projector stopped", e);
    } finally {
      consumer = null;
      running = false;
      try {
        kafka.close(CloseOptions.timeout(CLOSE_TIMEOUT));
      } catch (RuntimeException e) {
        log.debug("Closing the projection consumer failed", e);
      }
    }
  }

  /** The span of an event's projection. */
  static final String PROJECTION = "image-jobs.projection";

  /**
   * Projects a poll's records in one transaction, with a span per event from its arrival until the
   * batch is committed (ended with the failure when the batch fails).
   */
  private void process(ConsumerRecords<String, byte[]> records) {
    List<Observation> spans = new ArrayList<>(records.count());
    try {
      project(records, spans);
    } catch (RuntimeException e) {
      spans.forEach(span -> span.error(e).stop());
      throw e;
    }
    spans.forEach(Observation::stop);
    committed.announce();
  }

  private void project(ConsumerRecords<String, byte[]> records, List<Observation> spans) {
    List<ConsumedEvent> pending = new ArrayList<>(records.count());
    List<Letter> letters = new ArrayList<>();
    Map<Integer, Long> nextOffsets = new HashMap<>();
    int skipped = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      nextOffsets.put(record.partition(), record.offset() + 1);
      Optional<String> ceType = CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE);
      Optional<EventType> announced = ceType.flatMap(EventType::fromCeType);
      if (ceType.isPresent() && announced.isEmpty()) {
        // Routed on the header before decoding: a type this build does not project.
        skipped++;
        continue;
      }
      LifecycleEvent event;
      try {
        event = codec.decode(record.value());
      } catch (UndecodableEventException e) {
        letters.add(new Letter(record, "Undecodable: " + e.getMessage()));
        continue;
      }
      if (announced.isPresent() && announced.get() != event.type()) {
        letters.add(new Letter(record,
            "ce_type " + ceType.get() + " does not match the body, a " + event.type().simpleName()));
        continue;
      }
      pending.add(new ConsumedEvent(event, new RecordPosition(record.partition(), record.offset())));
      spans.add(tracing.receiving(record.headers(), event.jobId(), event.type().simpleName(), PROJECTION, "project"));
    }
    // Dead letters go out first: if one is not acknowledged the batch is retried as a whole,
    // so a poison record is never dropped (it may be dead-lettered twice, never zero times).
    for (Letter letter : letters) {
      deadLetters.publish(letter.record(), letter.reason());
      log.warn("Dead-lettered {}-{}@{}: {}", letter.record().topic(), letter.record().partition(),
          letter.record().offset(), letter.reason());
    }
    // The batch's deltas of queued jobs go to a backlog row of its own, never shared with the API.
    int backlogShard = ReadModel.projectionBacklogShard(Collections.min(nextOffsets.keySet()));
    List<ApplyOutcome> outcomes = ReadModel.inTransaction(transaction, () -> readModel.apply(pending, backlogShard)
            .flatMap(applied -> offsets.save(nextOffsets).thenReturn(applied)))
        .block(settings.databaseTimeout());
    count(outcomes == null ? List.of() : outcomes, letters.size(), skipped);
  }

  private void count(List<ApplyOutcome> outcomes, int deadLettered, int skipped) {
    for (ApplyOutcome outcome : outcomes) {
      switch (outcome.result()) {
        case APPLIED -> {
          stats.applied.incrementAndGet();
          if (outcome.endedRun()) {
            stats.runEnded(outcome.row());
          }
        }
        case DUPLICATE -> stats.duplicates.incrementAndGet();
        case REJECTED -> stats.rejected.incrementAndGet();
      }
    }
    stats.deadLettered.addAndGet(deadLettered);
    stats.skipped.addAndGet(skipped);
  }

  /**
   * Partitions whose position must come from Postgres: newly assigned ones, and all of them after
   * a failed batch. They stay paused until positioned, so no record is read from a guessed offset.
   * Used only on the consumer thread (rebalance callbacks run inside {@code poll}).
   */
  private final class Positions implements ConsumerRebalanceListener {
    private final Consumer<String, byte[]> kafka;
    private final Set<TopicPartition> unpositioned = new HashSet<>();

    Positions(Consumer<String, byte[]> kafka) {
      this.kafka = kafka;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      unpositioned.addAll(partitions);
      kafka.pause(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Nothing to commit: offsets are written with each batch.
      unpositioned.removeAll(partitions);
    }

    void rewindAll() {
      Set<TopicPartition> assigned = kafka.assignment();
      unpositioned.addAll(assigned);
      kafka.pause(assigned);
    }

    void seekUnpositioned() {
      unpositioned.retainAll(kafka.assignment());
      if (unpositioned.isEmpty()) {
        return;
      }
      Map<Integer, Long> stored = offsets.load().block(settings.databaseTimeout());
      for (TopicPartition partition : unpositioned) {
        Long next = stored == null ? null : stored.get(partition.partition());
        if (next == null) {
          kafka.seekToBeginning(List.of(partition));
        } else {
          kafka.seek(partition, next);
        }
      }
      kafka.resume(unpositioned);
      log.info("Projection positioned {} from Postgres", unpositioned);
      unpositioned.clear();
    }
  }

  private record Letter(ConsumerRecord<String, byte[]> record, String reason) {}
}
