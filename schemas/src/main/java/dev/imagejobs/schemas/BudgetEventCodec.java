package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.BudgetThresholdReached;

/**
 * Avro single-object codec of the {@code BudgetThresholdReached} records on {@link Topics#BUDGETS};
 * reads every released version of it. Thread-safe.
 */
public final class BudgetEventCodec extends ReleasedRecordCodec<BudgetThresholdReached> {
  /** Record name in the released-schema folder. */
  public static final String RECORD_NAME = "BudgetThresholdReached";

  public BudgetEventCodec() {
    super(BudgetThresholdReached.getClassSchema());
  }
}
