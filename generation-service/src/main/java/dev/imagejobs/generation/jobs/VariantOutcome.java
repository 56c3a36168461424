package dev.imagejobs.generation.jobs;

/**
 * How one variant's provider call of an attempt ended: its image generated and staged, or failed.
 * A job of one image has one variant, number 1.
 */
sealed interface VariantOutcome {
  /** The variant's number, 1 to the job's variants. */
  int variant();

  /** The attempt that ended it; for a reused image, the attempt that staged it. */
  int attempt();

  /** What its provider call cost, in micro-USD: 0 when no call was answered. */
  long costMicros();

  /**
   * The variant's image, staged.
   *
   * @param notes text the provider returned beside the image; null for an image an earlier delivery staged
   * @param reused whether an earlier delivery of the run staged it (and paid for it)
   */
  record Generated(int variant, int attempt, StagedArtifact staged, String notes, boolean reused)
      implements VariantOutcome {
    @Override
    public long costMicros() {
      return staged.costMicros();
    }
  }

  /**
   * The variant's call failed; whether for good is the failure's {@link GenerationFailure#retryable}
   * and what retries are left.
   *
   * @param costMicros what the call cost when the provider answered and what followed failed (its
   *     image did not download, decode or composite), else 0
   */
  record Failed(int variant, int attempt, GenerationFailure failure, long costMicros) implements VariantOutcome {}
}
