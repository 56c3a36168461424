package dev.imagejobs.schemas;

import java.util.EnumSet;
import java.util.Set;

/**
 * The one job state machine, used by every service and by the read-model projection:
 * queued → processing → generating → generated → uploading → completed; any non-terminal
 * status → failed or canceled; failed → queued on a manual retry; a completed job's variant may be
 * selected (again), which leaves it completed. Enforced by
 * {@code JobStateMachineTest}, which walks every (status, event) pair.
 */
public final class JobStateMachine {

  private static final Set<JobStatus> NON_TERMINAL =
      EnumSet.of(JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.GENERATING, JobStatus.GENERATED, JobStatus.UPLOADING);

  private JobStateMachine() {}

  /**
   * The status after {@code event}.
   *
   * @param current the status before, or {@code null} for a job that has no event yet
   * @throws IllegalTransitionException when the event is not allowed in {@code current}
   */
  public static JobStatus next(JobStatus current, EventType event) {
    JobStatus next = nextOrNull(current, event);
    if (next == null) {
      throw new IllegalTransitionException(current, event);
    }
    return next;
  }

  public static boolean allows(JobStatus current, EventType event) {
    return nextOrNull(current, event) != null;
  }

  private static JobStatus nextOrNull(JobStatus current, EventType event) {
    if (current == null) {
      return event == EventType.JOB_REQUESTED ? JobStatus.QUEUED : null;
    }
    return switch (event) {
      case JOB_REQUESTED -> null;
      case JOB_STARTED -> current == JobStatus.QUEUED ? JobStatus.PROCESSING : null;
      case GENERATION_STARTED ->
          current == JobStatus.PROCESSING || current == JobStatus.GENERATING ? JobStatus.GENERATING : null;
      case GENERATION_ATTEMPT_FAILED -> current == JobStatus.GENERATING ? JobStatus.GENERATING : null;
      case IMAGE_GENERATED -> current == JobStatus.GENERATING ? JobStatus.GENERATED : null;
      case UPLOAD_STARTED -> current == JobStatus.GENERATED ? JobStatus.UPLOADING : null;
      case JOB_COMPLETED -> current == JobStatus.UPLOADING ? JobStatus.COMPLETED : null;
      case JOB_FAILED -> NON_TERMINAL.contains(current) ? JobStatus.FAILED : null;
      case JOB_RETRY_REQUESTED -> current == JobStatus.FAILED ? JobStatus.QUEUED : null;
      case JOB_CANCEL_REQUESTED -> NON_TERMINAL.contains(current) ? current : null;
      case JOB_CANCELED -> NON_TERMINAL.contains(current) ? JobStatus.CANCELED : null;
      case VARIANT_SELECTED -> current == JobStatus.COMPLETED ? JobStatus.COMPLETED : null;
    };
  }
}
