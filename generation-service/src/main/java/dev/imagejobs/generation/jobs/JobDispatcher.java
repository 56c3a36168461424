package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * Turns one lifecycle record into work: a {@code JobRequested} or {@code JobRetryRequested} starts a
 * run, a {@code JobCancelRequested} stops one, other types are skipped on their {@code ce_type}
 * header and unreadable records are dead-lettered. The returned future completes when the record is
 * done with, so its offset may be committed; it never fails except when the service stops.
 *
 * <p>Runs of the same job follow each other, so a job's own events stay in order. A run whose
 * events could not be published (the broker was unreachable) is run again after a pause: that is
 * safe, since event ids derive from the starting event and a staged image is reused rather than
 * paid for again. After {@code maxRedeliveries} the record is dead-lettered.
 */
class JobDispatcher {
  private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);
  private static final Set<EventType> WANTED =
      EnumSet.of(EventType.JOB_REQUESTED, EventType.JOB_RETRY_REQUESTED, EventType.JOB_CANCEL_REQUESTED);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final LifecycleRecords records;
  private final JobRunner runner;
  private final ConsumerRecordRecoverer deadLetters;
  private final Executor work;
  private final int maxRedeliveries;
  private final Duration redeliveryDelay;
  private final Map<String, CompletableFuture<Void>> latestRunOfJob = new ConcurrentHashMap<>();

  JobDispatcher(LifecycleRecords records, JobRunner runner, ConsumerRecordRecoverer deadLetters, Executor work,
      int maxRedeliveries, Duration redeliveryDelay) {
    this.records = records;
    this.runner = runner;
    this.deadLetters = deadLetters;
    this.work = work;
    this.maxRedeliveries = maxRedeliveries;
    this.redeliveryDelay = redeliveryDelay;
  }

  CompletableFuture<Void> dispatch(ConsumerRecord<byte[], byte[]> record) {
    Optional<LifecycleEvent> event;
    try {
      event = records.decodeIfWanted(record, WANTED);
    } catch (RuntimeException e) {
      return deadLetter(record, e);
    }
    if (event.isEmpty()) {
      return DONE;
    }
    Work job;
    try {
      job = workOf(event.get());
    } catch (RuntimeException e) {
      return deadLetter(record, e);
    }
    if (job instanceof Work.Cancel cancel) {
      return withRedelivery(record, () -> CompletableFuture.runAsync(() -> runner.cancel(cancel.request()), work), 1);
    }
    return start(((Work.Run) job).run(), record);
  }

  /** Starts {@code run} once the earlier runs of the same job are over. */
  private CompletableFuture<Void> start(JobRun run, ConsumerRecord<byte[], byte[]> record) {
    CompletableFuture<Void> outcome = latestRunOfJob.compute(run.jobId(), (jobId, previous) ->
        (previous == null ? DONE : previous).thenCompose(done -> withRedelivery(record, () -> runner.run(run), 1)));
    outcome.whenComplete((done, failure) -> latestRunOfJob.remove(run.jobId(), outcome));
    return outcome;
  }

  private CompletableFuture<Void> withRedelivery(
      ConsumerRecord<byte[], byte[]> record, Supplier<CompletableFuture<Void>> action, int delivery) {
    CompletableFuture<Void> attempt;
    try {
      attempt = action.get();
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    return attempt.exceptionallyCompose(failure -> {
      if (delivery > maxRedeliveries) {
        return deadLetter(record, failure);
      }
      log.warn("Record {}-{}@{} failed (delivery {}), running it again in {}: {}", record.topic(),
          record.partition(), record.offset(), delivery, redeliveryDelay, failure.toString());
      Executor later = CompletableFuture.delayedExecutor(redeliveryDelay.toMillis(), TimeUnit.MILLISECONDS, work);
      return CompletableFuture.supplyAsync(() -> null, later)
          .thenCompose(ignored -> withRedelivery(record, action, delivery + 1));
    });
  }

  /** Dead-letters {@code record}; a failing dead-letter write is tried again until it succeeds. */
  private CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
    Throwable unwrapped = reason;
    while (unwrapped instanceof CompletionException && unwrapped.getCause() != null) {
      unwrapped = unwrapped.getCause();
    }
    Exception cause = unwrapped instanceof Exception e ? e : new IllegalStateException(unwrapped);
    return CompletableFuture.runAsync(() -> deadLetters.accept(record, cause), work)
        .exceptionallyCompose(failure -> {
          log.warn("Dead-lettering {}-{}@{} failed, trying again: {}", record.topic(), record.partition(),
              record.offset(), failure.toString());
          Executor later = CompletableFuture.delayedExecutor(redeliveryDelay.toMillis(), TimeUnit.MILLISECONDS, work);
          return CompletableFuture.supplyAsync(() -> null, later).thenCompose(ignored -> deadLetter(record, reason));
        });
  }

  private static Work workOf(LifecycleEvent event) {
    Work[] work = new Work[1];
    event.dispatchTo(new LifecycleEventHandler() {
      @Override
      public void on(JobRequested requested) {
        work[0] = new Work.Run(JobRun.of(requested));
      }

      @Override
      public void on(JobRetryRequested retry) {
        work[0] = new Work.Run(JobRun.of(retry));
      }

      @Override
      public void on(JobCancelRequested cancel) {
        work[0] = new Work.Cancel(cancel);
      }
    });
    return work[0];
  }

  private sealed interface Work {
    record Run(JobRun run) implements Work {}

    record Cancel(JobCancelRequested request) implements Work {}
  }
}
