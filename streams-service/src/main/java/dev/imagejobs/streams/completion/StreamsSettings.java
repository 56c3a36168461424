package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the completion topology needs to know besides the topic catalogue: how often the watchdog
 * looks for stuck jobs, and how long a job may stay in each non-terminal status.
 *
 * @param watchdogInterval wall-clock time between two watchdog scans
 * @param deadlines the longest time a job may stay in each non-terminal status
 */
public record StreamsSettings(Duration watchdogInterval, Map<JobStatus, Duration> deadlines) {

  public StreamsSettings {
    requirePositive(watchdogInterval, "watchdogInterval");
    Objects.requireNonNull(deadlines, "deadlines");
    for (JobStatus status : JobStatus.values()) {
      if (!status.isTerminal()) {
        requirePositive(deadlines.get(status), "deadline of " + status.wireName());
      } else if (deadlines.containsKey(status)) {
        throw new IllegalArgumentException("A terminal status has no deadline: " + status.wireName());
      }
    }
    deadlines = Map.copyOf(deadlines);
  }

  /** Scan every 30 s; queued 10 min, processing 5 min, generating 10 min, generated 10 min, uploading 5 min. */
  public static StreamsSettings defaults() {
    Map<JobStatus, Duration> deadlines = new EnumMap<>(JobStatus.class);
    deadlines.put(JobStatus.QUEUED, Duration.ofMinutes(10));
    deadlines.put(JobStatus.PROCESSING, Duration.ofMinutes(5));
    deadlines.put(JobStatus.GENERATING, Duration.ofMinutes(10));
    deadlines.put(JobStatus.GENERATED, Duration.ofMinutes(10));
    deadlines.put(JobStatus.UPLOADING, Duration.ofMinutes(5));
    return new StreamsSettings(Duration.ofSeconds(30), deadlines);
  }

  /** The deadline of a non-terminal status. */
  public Duration deadline(JobStatus status) {
    Duration deadline = deadlines.get(status);
    if (deadline == null) {
      throw new IllegalArgumentException("No deadline for status " + status.wireName());
    }
    return deadline;
  }

  private static void requirePositive(Duration duration, String name) {
    if (duration == null || duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + duration);
    }
  }
}
