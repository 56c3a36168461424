package dev.imagejobs.infra.benchmark;

/** The settings and notes every scenario reports about the stack it ran on. */
final class StackNotes {

  private StackNotes() {}

  /** Adds the stack's facts, and says whether an earlier scenario used it and left jobs behind. */
  static BenchmarkStack describe(StackProvider.Lease lease, ScenarioResult.Builder result) {
    BenchmarkStack stack = lease.stack();
    result.settings(stack.facts());
    result.setting("stack", lease.reused()
        ? "shared with the previous scenario (same settings), " + stack.jobsAccepted().get() + " jobs on it before"
        : "fresh");
    result.setting("stack warm-up (excluded)", stack.warmUp());
    if (lease.unfinishedAtStart() > 0) {
      result.note(lease.unfinishedAtStart() + " jobs of the previous scenario had not ended when this one started");
    }
    return stack;
  }
}
