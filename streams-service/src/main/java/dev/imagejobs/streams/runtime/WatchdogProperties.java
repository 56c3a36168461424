package dev.imagejobs.streams.runtime;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.streams.completion.StreamsSettings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often the watchdog scans for stuck jobs and how long a job may stay in each non-terminal
 * status before it is failed with {@code TIMEOUT}.
 *
 * @param interval wall-clock time between two scans
 * @param queuedDeadline deadline of status queued
 * @param processingDeadline deadline of status processing
 * @param generatingDeadline deadline of status generating (all provider attempts and their back-off)
 * @param generatedDeadline deadline of status generated (waiting for the upload service)
 * @param uploadingDeadline deadline of status uploading
 */
@ConfigurationProperties("imagejobs.watchdog")
record WatchdogProperties(
    @DefaultValue("30s") Duration interval,
    @DefaultValue("10m") Duration queuedDeadline,
    @DefaultValue("5m") Duration processingDeadline,
    @DefaultValue("10m") Duration generatingDeadline,
    @DefaultValue("10m") Duration generatedDeadline,
    @DefaultValue("5m") Duration uploadingDeadline) {

  StreamsSettings toSettings() {
    Map<JobStatus, Duration> deadlines = new EnumMap<>(JobStatus.class);
    deadlines.put(JobStatus.QUEUED, queuedDeadline);
    deadlines.put(JobStatus.PROCESSING, processingDeadline);
    deadlines.put(JobStatus.GENERATING, generatingDeadline);
    deadlines.put(JobStatus.GENERATED, generatedDeadline);
    deadlines.put(JobStatus.UPLOADING, uploadingDeadline);
    return new StreamsSettings(interval, deadlines);
  }
}
