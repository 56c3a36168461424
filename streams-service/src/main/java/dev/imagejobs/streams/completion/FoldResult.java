package dev.imagejobs.streams.completion;

/** What folding one lifecycle event into a job's state came to. */
sealed interface FoldResult {

  /**
   * The event was applied.
   *
   * @param before the state before, {@code null} for a new job
   * @param after the state after
   */
  record Applied(JobState before, JobState after) implements FoldResult {

    boolean statusChanged() {
      return before == null || before.status() != after.status();
    }
  }

  /**
   * The event was applied before (a redelivery) or repeats a completion; nothing changes.
   *
   * @param reason why it is a duplicate
   */
  record Duplicate(String reason) implements FoldResult {}

  /**
   * The state machine or the job's ownership does not allow the event; nothing changes.
   *
   * @param reason why it was rejected
   */
  record Rejected(String reason) implements FoldResult {}
}
