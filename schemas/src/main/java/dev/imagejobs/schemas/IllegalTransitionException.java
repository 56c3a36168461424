package dev.imagejobs.schemas;

/** An event that the job's current status does not allow; it is logged and never applied. */
public class IllegalTransitionException extends RuntimeException {
  private final JobStatus from;
  private final EventType event;

  public IllegalTransitionException(JobStatus from, EventType event) {
    super("Illegal transition: " + event.simpleName() + " in status " + (from == null ? "(none)" : from.wireName()));
    this.from = from;
    this.event = event;
  }

  /** The status before the event, or {@code null} for a job not seen yet. */
  public JobStatus from() {
    return from;
  }

  public EventType event() {
    return event;
  }
}
