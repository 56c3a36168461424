package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.EndedRuns.Verdict;
import dev.imagejobs.messaging.testing.MovingClock;
import dev.imagejobs.schemas.avro.RunEnded;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EndedRunsTest {
  private static final Duration HORIZON = Duration.ofDays(7);
  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-06T12:00:00Z"));
  private final EndedRuns endedRuns = new EndedRuns(HORIZON, clock);

  @Test
  void aRunIsEndedWhenItOrALaterRunOfItsJobEnded() {
    endedRuns.record(ended("job-1", 1, clock.instant()));

    assertThat(endedRuns.verdict("job-1", 0, clock.instant())).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict("job-1", 1, clock.instant())).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict("job-1", 2, clock.instant())).isEqualTo(Verdict.RUNNABLE);
    assertThat(endedRuns.verdict("job-2", 0, clock.instant())).isEqualTo(Verdict.RUNNABLE);
  }

  @Test
  void anEarlierRunsEndArrivingLateDoesNotUndoALaterOne() {
    endedRuns.record(ended("job-1", 2, clock.instant()));
    endedRuns.record(ended("job-1", 0, clock.instant()));

    assertThat(endedRuns.verdict("job-1", 2, clock.instant())).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.endedStatus("job-1")).isEqualTo("failed (run 2, by watchdog)");
  }

  @Test
  void aRunStartedBeforeTheHorizonIsHistoryWhateverIsKnown() {
    Instant justInside = clock.instant().minus(HORIZON).plusSeconds(1);
    Instant justOutside = clock.instant().minus(HORIZON).minusSeconds(1);

    assertThat(endedRuns.verdict("job-1", 0, justOutside)).isEqualTo(Verdict.HISTORY);
    assertThat(endedRuns.verdict("job-1", 0, justInside)).isEqualTo(Verdict.RUNNABLE);
  }

  @Test
  void forgetsOnlyRunsThatEndedBeforeTheHorizonAndTombstonedJobs() {
    endedRuns.record(ended("job-old", 0, clock.instant().minus(Duration.ofDays(3))));
    endedRuns.record(ended("job-new", 0, clock.instant()));
    endedRuns.record(ended("job-deleted", 0, clock.instant()));
    endedRuns.forget("job-deleted");

    clock.advance(Duration.ofDays(5));
    endedRuns.forgetOlderThanHorizon();

    assertThat(endedRuns.size()).isEqualTo(1);
    assertThat(endedRuns.verdict("job-new", 0, clock.instant().minus(Duration.ofDays(5)))).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict("job-deleted", 0, clock.instant())).isEqualTo(Verdict.RUNNABLE);
  }

  private static RunEnded ended(String jobId, int run, Instant at) {
    return RunEnded.newBuilder().setJobId(jobId).setTenantId("tenant-a").setRun(run).setStatus("failed")
        .setEndedBy("watchdog").setEndedAt(at).build();
  }
}
