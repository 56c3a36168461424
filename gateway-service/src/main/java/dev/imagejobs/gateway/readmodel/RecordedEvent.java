package dev.imagejobs.gateway.readmodel;

/**
 * One applied event of a job's history, as event streams replay it.
 *
 * @param globalSeq the event's position among all events, in commit order
 * @param jobId the job
 * @param seq the event's position in its job's history (1, 2, ...)
 * @param eventType the Avro record name, e.g. {@code JobStarted}
 * @param jobAfter the job as it was right after the event
 */
public record RecordedEvent(long globalSeq, String jobId, int seq, String eventType, JobRow jobAfter) {}
