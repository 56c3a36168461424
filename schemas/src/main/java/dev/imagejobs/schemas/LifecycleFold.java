package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;

/**
 * The one fold of a job's lifecycle, beside {@link JobStateMachine}: whether a lifecycle event
 * applies to a job, the status it leads to, and then what it changes. The read model (and the audit
 * that rebuilds it), the streams state and anything else that folds events use it, so no two of
 * them can disagree about which events count:
 *
 * <ul>
 *   <li>an event of a run that a retry replaced changes nothing (events of a schema version without
 *       runs are folded as they come, {@link LifecycleEvent#runKnown()});
 *   <li>the state machine decides the status; an event it does not allow changes nothing;
 *   <li>an event of another tenant than the job's changes nothing.
 * </ul>
 *
 * <p>What an applied event changes besides the status is told to the caller's
 * {@link LifecycleEventHandler}, which writes it into the caller's own shape of a job (a read-model
 * row, a streams state); it hears of an event only when the event applies.
 */
public final class LifecycleFold {

  private LifecycleFold() {}

  /** What the fold reads of a job before an event. */
  public interface Job {
    JobStatus status();

    String tenantId();

    /** The job's current run: 0, or the retry count of its latest retry. */
    int run();
  }

  /** What folding an event came to. */
  public sealed interface Outcome {

    /**
     * The event applies; its changes were told to the handler.
     *
     * @param before the status before, {@code null} for a new job
     */
    record Applied(JobStatus before, JobStatus after) implements Outcome {

      public boolean statusChanged() {
        return before != after;
      }
    }

    /** The event does not apply: nothing was told to the handler. */
    record Rejected(String reason) implements Outcome {}
  }

  /**
   * Folds {@code event} into {@code current}.
   *
   * @param current the job before the event, {@code null} for a job not seen yet
   * @param changes records what the event changes; told only when the event applies
   */
  public static Outcome fold(Job current, LifecycleEvent event, LifecycleEventHandler changes) {
    EventMetadata metadata = event.metadata();
    if (current != null && event.isOfRunBefore(current.run())) {
      return new Outcome.Rejected("Event of run " + metadata.getRun() + " for a job on run " + current.run()
          + ": a run that a retry replaced changes nothing");
    }
    JobStatus before = current == null ? null : current.status();
    JobStatus after;
    try {
      after = JobStateMachine.next(before, event.type());
    } catch (IllegalTransitionException e) {
      return new Outcome.Rejected(e.getMessage());
    }
    if (current != null && !current.tenantId().equals(metadata.getTenantId())) {
      return new Outcome.Rejected(
          "Event of tenant " + metadata.getTenantId() + " for a job of tenant " + current.tenantId());
    }
    event.dispatchTo(changes);
    return new Outcome.Applied(before, after);
  }
}
