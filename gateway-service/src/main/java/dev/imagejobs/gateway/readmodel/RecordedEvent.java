package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;

/**
 * One applied event of a job's history, as event streams send it.
 *
 * @param position the event's position among all events ({@link EventPosition})
 * @param jobId the job
 * @param tenantId the job's tenant
 * @param projectId the job's project
 * @param seq the event's position in its job's history (1, 2, ...)
 * @param eventType the Avro record name, e.g. {@code JobStarted}
 * @param statusAfter the job's status right after the event
 * @param jobAfterJson the job as it was right after the event, as stored ({@link #jobAfter()})
 */
public record RecordedEvent(
    EventPosition position, String jobId, String tenantId, String projectId, int seq, String eventType,
    JobStatus statusAfter, String jobAfterJson) {

  /** The job as it was right after the event; parsed on each call, so streams call it once per event. */
  public JobRow jobAfter() {
    return JobSnapshots.read(jobAfterJson);
  }
}
