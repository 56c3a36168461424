package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {
  private final PartitionProgress progress = new PartitionProgress();

  @Test
  void givenJobsFinishingOutOfOrder_thenOnlyTheOffsetBelowTheOldestUnfinishedIsCommitted() {
    progress.started(10);
    progress.started(11);
    progress.started(12);

    progress.finished(12);
    progress.finished(11);

    assertThat(progress.toCommit()).hasValue(10);
    progress.committed(10);
    assertThat(progress.toCommit()).isEmpty();

    progress.finished(10);

    assertThat(progress.toCommit()).hasValue(13);
    assertThat(progress.inFlight()).isZero();
  }

  @Test
  void givenNothingStarted_thenNothingIsCommitted() {
    assertThat(progress.toCommit()).isEmpty();
  }

  @Test
  void givenACommittedOffset_thenItIsNotCommittedAgain() {
    progress.started(0);
    progress.finished(0);
    progress.committed(progress.toCommit().getAsLong());

    assertThat(progress.toCommit()).isEmpty();
    progress.started(1);
    assertThat(progress.toCommit()).isEmpty();
  }

  @Test
  void givenAReleasedRecord_thenNoOffsetBeyondItIsCommittedAndItNoLongerCountsInFlight() {
    progress.started(5);
    progress.started(6);
    progress.started(7);
    progress.finished(5);
    progress.finished(7);

    progress.released(6);

    assertThat(progress.inFlight()).isZero();
    assertThat(progress.toCommit()).hasValue(6);
  }
}
