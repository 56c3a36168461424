package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.RunEnded;

/**
 * Avro single-object codec of the {@code RunEnded} records on {@link Topics#ENDED_RUNS}; reads
 * every released version of it. Thread-safe.
 */
public final class RunEndedCodec extends ReleasedRecordCodec<RunEnded> {
  /** Record name in the released-schema folder. */
  public static final String RECORD_NAME = "RunEnded";

  public RunEndedCodec() {
    super(RunEnded.getClassSchema());
  }
}
