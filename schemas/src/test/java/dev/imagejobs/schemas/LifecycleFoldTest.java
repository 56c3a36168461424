package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobStarted;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleFoldTest {

  private record Job(JobStatus status, String tenantId, int run) implements LifecycleFold.Job {}

  /** Records which events it was told of. */
  private static final class Told implements LifecycleEventHandler {
    final List<String> events = new ArrayList<>();

    @Override
    public void on(JobRequested event) {
      events.add("JobRequested");
    }

    @Override
    public void on(JobStarted event) {
      events.add("JobStarted");
    }
  }

  @Test
  void aNewJobStartsQueuedWithItsRequestAndTheChangesAreTold() {
    Told told = new Told();

    LifecycleFold.Outcome outcome = LifecycleFold.fold(null, LifecycleEvent.of(Events.aJobRequested("job-1")), told);

    assertThat(outcome).isEqualTo(new LifecycleFold.Outcome.Applied(null, JobStatus.QUEUED));
    assertThat(((LifecycleFold.Outcome.Applied) outcome).statusChanged()).isTrue();
    assertThat(told.events).containsExactly("JobRequested");
  }

  @Test
  void theStateMachineDecidesTheStatus() {
    Told told = new Told();

    LifecycleFold.Outcome outcome = LifecycleFold.fold(new Job(JobStatus.QUEUED, "tenant-a", 0),
        LifecycleEvent.of(Events.aJobStarted("job-1")), told);

    assertThat(outcome).isEqualTo(new LifecycleFold.Outcome.Applied(JobStatus.QUEUED, JobStatus.PROCESSING));
    assertThat(told.events).containsExactly("JobStarted");
  }

  @Test
  void anEventTheStateMachineDoesNotAllowIsRejectedAndNothingIsTold() {
    Told told = new Told();

    LifecycleFold.Outcome outcome = LifecycleFold.fold(new Job(JobStatus.COMPLETED, "tenant-a", 0),
        LifecycleEvent.of(Events.aJobStarted("job-1")), told);

    assertThat(outcome).isInstanceOfSatisfying(LifecycleFold.Outcome.Rejected.class,
        rejected -> assertThat(rejected.reason()).contains("JobStarted").contains("completed"));
    assertThat(told.events).isEmpty();
  }

  @Test
  void anEventOfARunThatARetryReplacedIsRejectedUnlessItsSchemaHasNoRuns() {
    JobStarted lateStart = Events.aJobStarted("job-1");
    lateStart.getMetadata().setRun(0);
    Job onSecondRun = new Job(JobStatus.QUEUED, "tenant-a", 1);
    Told told = new Told();

    assertThat(LifecycleFold.fold(onSecondRun, LifecycleEvent.of(lateStart), told))
        .isInstanceOfSatisfying(LifecycleFold.Outcome.Rejected.class,
            rejected -> assertThat(rejected.reason()).contains("run 0").contains("run 1"));
    assertThat(told.events).isEmpty();

    // Decoded from a version without runs, the same event is folded as it comes.
    LifecycleEvent withoutRun = new LifecycleEvent(EventType.JOB_STARTED, lateStart, false);
    assertThat(LifecycleFold.fold(onSecondRun, withoutRun, told))
        .isEqualTo(new LifecycleFold.Outcome.Applied(JobStatus.QUEUED, JobStatus.PROCESSING));
    assertThat(told.events).containsExactly("JobStarted");
  }

  @Test
  void anEventOfAnotherTenantIsRejectedAndNothingIsTold() {
    JobStarted started = Events.aJobStarted("job-1");
    started.getMetadata().setTenantId("tenant-b");
    Told told = new Told();

    assertThat(LifecycleFold.fold(new Job(JobStatus.QUEUED, "tenant-a", 0), LifecycleEvent.of(started), told))
        .isInstanceOfSatisfying(LifecycleFold.Outcome.Rejected.class,
            rejected -> assertThat(rejected.reason()).contains("tenant-b"));
    assertThat(told.events).isEmpty();
  }
}
