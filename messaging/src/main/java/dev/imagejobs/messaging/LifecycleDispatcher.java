package dev.imagejobs.messaging;

import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.UndecodableEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns lifecycle records into a service's work: records of the event types it handles are decoded
 * and handed to their work, other types are skipped on their {@code ce_type} header without
 * decoding, and records that cannot be decoded or processed are dead-lettered. The returned future
 * completes when the record is done with, so its offset may be committed; it fails only when the
 * service stops.
 *
 * <p>Work registered {@linkplain Builder#inJobOrder in job order} starts only once the earlier
 * records of the same job (key) that this instance holds are done with, so a job's records are
 * handled in topic order while other jobs go on; work registered {@linkplain Builder#atOnce at once}
 * starts immediately (a cancel request must reach a run that is still going).
 *
 * <p>Work that fails is started again after {@code redeliveryDelay}, up to {@code maxRedeliveries}
 * times, then its record is dead-lettered; an {@link UnprocessableRecordException} or an
 * {@link UndecodableEventException} is dead-lettered at once, since repeating cannot help. Failures
 * of a type registered with {@link Builder#retriedUntilItWorks} (an outage of a dependency that
 * comes back) are never dead-lettered: their work is started again with a delay that doubles up to
 * {@link #MAX_OUTAGE_DELAY}, holding back only that job's later records. A
 * dead-letter write that fails is tried again until it succeeds: the record is never skipped
 * unrecorded, and never blocks other jobs meanwhile.
 */
public final class LifecycleDispatcher implements RecordHandler {
  private static final Logger log = LoggerFactory.getLogger(LifecycleDispatcher.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** The longest wait between two tries of work that fails with an outage. */
  public static final Duration MAX_OUTAGE_DELAY = Duration.ofSeconds(30);

  private final LifecycleRecords records;
  private final Map<EventType, Route> routes;
  private final DeadLetters deadLetters;
  private final Executor executor;
  private final int maxRedeliveries;
  private final Duration redeliveryDelay;
  private final List<Class<? extends Throwable>> outages;
  private final JobTracing tracing;
  private final Map<String, CompletableFuture<Void>> latestOfJob = new ConcurrentHashMap<>();

  private LifecycleDispatcher(Builder builder) {
    this.records = builder.records;
    this.routes = new EnumMap<>(builder.routes);
    this.deadLetters = builder.deadLetters;
    this.executor = builder.executor;
    this.maxRedeliveries = builder.maxRedeliveries;
    this.redeliveryDelay = builder.redeliveryDelay;
    this.outages = List.copyOf(builder.outages);
    this.tracing = builder.tracing;
  }

  /**
   * @param executor runs redeliveries after their delay and dead-letter retries; work itself says
   *     where it runs
   */
  public static Builder builder(LifecycleRecords records, DeadLetters deadLetters, Executor executor) {
    return new Builder(records, deadLetters, executor);
  }

  @Override
  public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) {
    Optional<LifecycleEvent> decoded;
    try {
      decoded = records.decodeIfWanted(record, routes.keySet());
    } catch (RuntimeException e) {
      return deadLetter(record, e);
    }
    if (decoded.isEmpty()) {
      return DONE;
    }
    LifecycleEvent event = decoded.get();
    Route route = routes.get(event.type());
    // Each delivery of the work is a span, child of the span that sent the record.
    Supplier<CompletableFuture<Void>> work = () -> tracing.consume(record.headers(), event.jobId(),
        event.type().simpleName(), () -> route.work().apply(event.payload()));
    if (!route.inJobOrder()) {
      return withRedelivery(record, work, 1);
    }
    CompletableFuture<Void> done = latestOfJob.compute(event.jobId(), (jobId, previous) ->
        (previous == null ? DONE : previous).thenCompose(ignored -> withRedelivery(record, work, 1)));
    done.whenComplete((ignored, failure) -> latestOfJob.remove(event.jobId(), done));
    return done;
  }

  /** Jobs with records in hand now, for tests and gauges. */
  int jobsInHand() {
    return latestOfJob.size();
  }

  private CompletableFuture<Void> withRedelivery(
      ConsumerRecord<byte[], byte[]> record, Supplier<CompletableFuture<Void>> work, int delivery) {
    CompletableFuture<Void> attempt;
    try {
      attempt = work.get();
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    // On the executor: a failed acknowledgement arrives on the producer's I/O thread, which must not
    // be the one to send the dead letter (a send there can wait for the very thread it blocks).
    return attempt.exceptionallyComposeAsync(failure -> {
      Throwable cause = unwrap(failure);
      boolean outage = outages.stream().anyMatch(type -> type.isInstance(cause));
      if (cause instanceof UnprocessableRecordException || cause instanceof UndecodableEventException
          || (delivery > maxRedeliveries && !outage)) {
        return deadLetter(record, cause);
      }
      Duration delay = outage ? outageDelay(delivery) : redeliveryDelay;
      log.warn("Record {}-{}@{} failed (delivery {}), handling it again in {}: {}", record.topic(),
          record.partition(), record.offset(), delivery, delay, cause.toString());
      return CompletableFuture.supplyAsync(() -> null, after(delay))
          .thenCompose(ignored -> withRedelivery(record, work, delivery + 1));
    }, executor);
  }

  /**
   * Dead-letters {@code record}, on the consumer's thread for records that cannot be decoded (so
   * dead letters keep the order of their records) and on the executor for work that failed; a
   * failing dead-letter write is tried again until it succeeds.
   */
  private CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
    Exception cause = reason instanceof Exception e ? e : new IllegalStateException(reason);
    CompletableFuture<Void> stored;
    try {
      stored = deadLetters.deadLetter(record, cause);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored.exceptionallyCompose(failure -> {
      log.warn("Dead-lettering {}-{}@{} failed, trying again in {}: {}", record.topic(), record.partition(),
          record.offset(), redeliveryDelay, unwrap(failure).toString());
      return CompletableFuture.supplyAsync(() -> null, later()).thenCompose(ignored -> deadLetter(record, reason));
    });
  }

  private Executor later() {
    return after(redeliveryDelay);
  }

  private Executor after(Duration delay) {
    return Later.after(delay, executor);
  }

  /** The redelivery delay, doubled for every delivery after the first, at most {@link #MAX_OUTAGE_DELAY}. */
  private Duration outageDelay(int delivery) {
    Duration delay = redeliveryDelay;
    for (int i = 1; i < delivery && delay.compareTo(MAX_OUTAGE_DELAY) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(MAX_OUTAGE_DELAY) > 0 ? MAX_OUTAGE_DELAY : delay;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private record Route(Function<SpecificRecord, CompletableFuture<Void>> work, boolean inJobOrder) {}

  /** Which event types a service handles, and how. */
  public static final class Builder {
    private final LifecycleRecords records;
    private final DeadLetters deadLetters;
    private final Executor executor;
    private final Map<EventType, Route> routes = new EnumMap<>(EventType.class);
    private int maxRedeliveries = 2;
    private Duration redeliveryDelay = Duration.ofSeconds(1);
    private final List<Class<? extends Throwable>> outages = new ArrayList<>();
    private JobTracing tracing = JobTracing.disabled();

    private Builder(LifecycleRecords records, DeadLetters deadLetters, Executor executor) {
      this.records = records;
      this.deadLetters = deadLetters;
      this.executor = executor;
    }

    /**
     * Handles events of {@code type} once the job's earlier records are done with.
     *
     * @param work starts the work and returns at once (it is called on the consumer's thread, or on
     *     the thread that finished the job's previous record); completes when the event is handled
     */
    public <T extends SpecificRecord> Builder inJobOrder(Class<T> type, Function<T, CompletableFuture<Void>> work) {
      return route(type, work, true);
    }

    /** Handles events of {@code type} as soon as they arrive, beside the job's other records. */
    public <T extends SpecificRecord> Builder atOnce(Class<T> type, Function<T, CompletableFuture<Void>> work) {
      return route(type, work, false);
    }

    /** How often, and how far apart, failed work is started again before its record is dead-lettered. */
    public Builder redeliveries(int max, Duration delay) {
      if (max < 0 || delay.isNegative()) {
        throw new IllegalArgumentException("Redeliveries and their delay must not be negative");
      }
      this.maxRedeliveries = max;
      this.redeliveryDelay = delay;
      return this;
    }

    /**
     * Work failing with {@code outage} (a dependency that is down and will be back) is tried again
     * until it works, with growing delays, and its record is never dead-lettered for it; the work
     * must stop by itself once there is nothing left to do (its job ended, say).
     */
    public Builder retriedUntilItWorks(Class<? extends Throwable> outage) {
      outages.add(outage);
      return this;
    }

    /** Traces each record's work as a span of its job ({@link JobTracing#consume}). */
    public Builder tracing(JobTracing tracing) {
      this.tracing = tracing;
      return this;
    }

    public LifecycleDispatcher build() {
      return new LifecycleDispatcher(this);
    }

    private <T extends SpecificRecord> Builder route(
        Class<T> type, Function<T, CompletableFuture<Void>> work, boolean inJobOrder) {
      EventType eventType = Arrays.stream(EventType.values())
          .filter(candidate -> candidate.recordClass() == type)
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException(type.getName() + " is not a lifecycle event"));
      routes.put(eventType, new Route(payload -> work.apply(type.cast(payload)), inJobOrder));
      return this;
    }
  }
}
