package dev.imagejobs.gateway.readmodel;

/**
 * What {@link ReadModel#apply} did with an event.
 *
 * @param result applied, skipped as a duplicate, or rejected
 * @param row the job after the event when applied, else {@code null}
 * @param endedRun whether the event ended the job's current run (completed, failed or canceled)
 */
public record ApplyOutcome(Result result, JobRow row, boolean endedRun) {

  /** The three ways an event can end. */
  public enum Result {
    /** The row changed and the event was appended to the job's history. */
    APPLIED,
    /** The event id is already in the history: a redelivery, or the relayed copy of the gateway's own event. */
    DUPLICATE,
    /** The state machine does not allow the event in the job's status; logged, nothing written. */
    REJECTED
  }

  static ApplyOutcome applied(JobRow row, boolean endedRun) {
    return new ApplyOutcome(Result.APPLIED, row, endedRun);
  }

  static ApplyOutcome duplicate() {
    return new ApplyOutcome(Result.DUPLICATE, null, false);
  }

  static ApplyOutcome rejected() {
    return new ApplyOutcome(Result.REJECTED, null, false);
  }
}
