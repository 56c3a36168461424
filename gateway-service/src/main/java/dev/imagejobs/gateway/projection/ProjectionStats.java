package dev.imagejobs.gateway.projection;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * What the projection did with the records it committed, exported as
 * {@code imagejobs.projection.records{outcome=...}} and {@code imagejobs.projection.failed.batches}.
 * Counts only change after a batch commits, so a retried batch is counted once.
 */
final class ProjectionStats implements MeterBinder {
  final AtomicLong applied = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong failedBatches = new AtomicLong();

  @Override
  public void bindTo(MeterRegistry registry) {
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
