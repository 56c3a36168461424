package dev.imagejobs.schemas;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Status of a job in the read model and in every service's view of it. */
public enum JobStatus {
  QUEUED,
  PROCESSING,
  GENERATING,
  /** Image generated and staged, waiting for the upload service ("uploading-ready"). */
  GENERATED,
  UPLOADING,
  COMPLETED,
  FAILED,
  CANCELED;

  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELED;
  }

  /** The lower-case name used in the API and in the database. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<JobStatus> fromWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }
}
