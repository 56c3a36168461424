package dev.imagejobs.gateway.projection;

import dev.imagejobs.gateway.readmodel.JobRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * What the projection did with the records it committed, exported as
 * {@code imagejobs.projection.records{outcome=...}} and {@code imagejobs.projection.failed.batches}.
 * Counts only change after a batch commits, so a retried batch is counted once.
 */
final class ProjectionStats implements MeterBinder {
  static final String ENDED = "imagejobs.jobs.ended";
  static final String DURATION = "imagejobs.jobs.duration";

  final AtomicLong applied = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong failedBatches = new AtomicLong();
  private final Map<String, EndedMeters> endedMeters = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /**
   * Counts a run that ended, by job type and outcome ({@code imagejobs.jobs.ended}), and records the
   * time from the job's creation to the end ({@code imagejobs.jobs.duration}, a histogram): applied
   * once per run, since the read model applies each event once, whichever gateway instance does it.
   */
  void runEnded(JobRow job) {
    MeterRegistry meters = registry;
    if (meters == null) {
      return;
    }
    String outcome = job.status().name().toLowerCase(Locale.ROOT);
    EndedMeters ended = endedMeters.computeIfAbsent(job.jobType() + "/" + outcome,
        key -> EndedMeters.register(meters, job.jobType(), outcome));
    ended.count().increment();
    Instant end = job.completedAt() != null ? job.completedAt() : job.updatedAt();
    if (job.createdAt() != null && end != null && !end.isBefore(job.createdAt())) {
      ended.duration().record(Duration.between(job.createdAt(), end));
    }
  }

  /** The meters of one job type and outcome, registered once rather than looked up per event. */
  private record EndedMeters(Counter count, Timer duration) {
    static EndedMeters register(MeterRegistry meters, String jobType, String outcome) {
      return new EndedMeters(meters.counter(ENDED, "job_type", jobType, "outcome", outcome),
          Timer.builder(DURATION).description("From a job's creation to the end of its run, by job type and outcome")
              .tags("job_type", jobType, "outcome", outcome)
              .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
              .maximumExpectedValue(Duration.ofHours(1))
              .register(meters));
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    outcome(registry, "applied", s -> s.applied.get());
    outcome(registry, "duplicate", s -> s.duplicates.get());
    outcome(registry, "rejected", s -> s.rejected.get());
    outcome(registry, "dead_lettered", s -> s.deadLettered.get());
    outcome(registry, "skipped", s -> s.skipped.get());
    FunctionCounter.builder("imagejobs.projection.failed.batches", this, s -> s.failedBatches.get())
        .description("Batches rolled back and retried after a backoff")
        .register(registry);
  }

  private void outcome(MeterRegistry registry, String outcome, ToDoubleFunction<ProjectionStats> count) {
    FunctionCounter.builder("imagejobs.projection.records", this, count)
        .description("Lifecycle records committed by the read-model projection, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
