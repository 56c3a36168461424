package dev.imagejobs.gateway.readmodel;

/** What folding one event into a job row gave: the new row, or why the event is not applied. */
sealed interface FoldResult {

  /** The event is applied; {@code row} is the job after it. */
  record Applied(JobRow row) implements FoldResult {}

  /** The event is not applied: an illegal transition, an event of another tenant or of an earlier run. */
  record Rejected(String reason) implements FoldResult {}
}
