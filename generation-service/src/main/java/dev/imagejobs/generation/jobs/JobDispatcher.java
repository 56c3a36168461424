package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * Runs the jobs of one polled batch side by side and returns once every outcome is acknowledged,
 * so the container commits the batch's offsets only then. Jobs in flight are thus bounded by the
 * batch size ({@code max-in-flight}), not by the partition count, while a job's own records still
 * run in offset order. The consumer thread waits for the batch, so a rebalance never hands a
 * running job to another instance.
 *
 * <p>Records of other event types are skipped on their {@code ce_type} header; undecodable ones are
 * dead-lettered. A record whose run failed before its outcome was announced is reported to the
 * error handler, which commits the records before it and redelivers from it (re-runs are safe, see
 * {@link JobRunner}) until it gives up and dead-letters it.
 */
class JobDispatcher {
  private static final Set<EventType> STARTS_A_RUN = EnumSet.of(EventType.JOB_REQUESTED, EventType.JOB_RETRY_REQUESTED);
  private static final CompletableFuture<Void> NOTHING_TO_RUN = CompletableFuture.completedFuture(null);

  private final LifecycleRecords records;
  private final JobRunner runner;
  private final ConsumerRecordRecoverer deadLetters;

  JobDispatcher(LifecycleRecords records, JobRunner runner, ConsumerRecordRecoverer deadLetters) {
    this.records = records;
    this.runner = runner;
    this.deadLetters = deadLetters;
  }

  /**
   * Runs the batch's jobs and dead-letters its unreadable records.
   *
   * @throws BatchListenerFailedException naming the first record that must be delivered again
   */
  void dispatch(List<ConsumerRecord<byte[], byte[]>> batch) {
    List<CompletableFuture<Void>> outcomes = new ArrayList<>(batch.size());
    Map<Integer, RuntimeException> unreadable = new TreeMap<>();
    Map<String, CompletableFuture<Void>> latestRunOfJob = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Optional<JobRun> run = Optional.empty();
      try {
        run = records.decodeIfWanted(batch.get(i), STARTS_A_RUN).map(JobDispatcher::runOf);
      } catch (RuntimeException e) {
        unreadable.put(i, e);
      }
      outcomes.add(run.map(r -> start(r, latestRunOfJob)).orElse(NOTHING_TO_RUN));
    }
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).handle((done, failure) -> null).join();

    int failedIndex = -1;
    Throwable failure = null;
    for (int i = 0; i < outcomes.size() && failedIndex < 0; i++) {
      failure = failureOf(outcomes.get(i));
      failedIndex = failure == null ? -1 : i;
    }
    for (Map.Entry<Integer, RuntimeException> record : unreadable.entrySet()) {
      if (failedIndex >= 0 && record.getKey() > failedIndex) {
        break; // delivered again from the failed record on, and dead-lettered then
      }
      try {
        deadLetters.accept(batch.get(record.getKey()), record.getValue());
      } catch (RuntimeException e) {
        failedIndex = record.getKey();
        failure = e;
        break;
      }
    }
    if (failedIndex >= 0) {
      ConsumerRecord<byte[], byte[]> failed = batch.get(failedIndex);
      throw new BatchListenerFailedException(
          "Record " + failed.topic() + "-" + failed.partition() + "@" + failed.offset() + " failed: " + failure,
          failure, failedIndex);
    }
  }

  /** Starts {@code run} once the runs of the same job earlier in the batch are over. */
  private CompletableFuture<Void> start(JobRun run, Map<String, CompletableFuture<Void>> latestRunOfJob) {
    // A duplicate delivery in the same batch then finds the artifact the first one staged.
    CompletableFuture<Void> outcome =
        latestRunOfJob.getOrDefault(run.jobId(), NOTHING_TO_RUN).thenCompose(previous -> runner.run(run));
    latestRunOfJob.put(run.jobId(), outcome);
    return outcome;
  }

  private static JobRun runOf(LifecycleEvent event) {
    List<JobRun> run = new ArrayList<>(1);
    event.dispatchTo(new LifecycleEventHandler() {
      @Override
      public void on(JobRequested requested) {
        run.add(JobRun.of(requested));
      }

      @Override
      public void on(JobRetryRequested retry) {
        run.add(JobRun.of(retry));
      }
    });
    return run.isEmpty() ? null : run.get(0);
  }

  private static Throwable failureOf(CompletableFuture<Void> outcome) {
    try {
      outcome.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (CancellationException e) {
      return e;
    }
  }
}
