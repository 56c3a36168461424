package dev.imagejobs.streams.runtime;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.streams.completion.StreamsSettings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How often the watchdog scans for stuck jobs and how long a job may stay in each non-terminal
 * status before it is failed with {@code TIMEOUT}.
 *
 * @param interval wall-clock time between two scans
 * @param queued deadline of status queued
 * @param processing deadline of status processing
 * @param generating deadline of status generating (all provider attempts and their back-off)
 * @param generated deadline of status generated (waiting for the upload service)
 * @param uploading deadline of status uploading
 */
@ConfigurationProperties("imagejobs.watchdog")
record WatchdogProperties(
    Duration interval,
    Duration queued,
    Duration processing,
    Duration generating,
    Duration generated,
    Duration uploading) {

  StreamsSettings toSettings() {
    Map<JobStatus, Duration> deadlines = new EnumMap<>(JobStatus.class);
    deadlines.put(JobStatus.QUEUED, queued);
    deadlines.put(JobStatus.PROCESSING, processing);
    deadlines.put(JobStatus.GENERATING, generating);
    deadlines.put(JobStatus.GENERATED, generated);
    deadlines.put(JobStatus.UPLOADING, uploading);
    return new StreamsSettings(interval, deadlines);
  }
}
