package dev.imagejobs.generation.jobs;

import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.storage.BlobPath;

/**
 * One run of a job: the first, started by {@code JobRequested}, or a manual retry, started by
 * {@code JobRetryRequested}. Each run numbers its provider attempts from 1; the retry count tells
 * the runs apart in the staging area.
 *
 * @param cause metadata of the event that started the run; the events of the run follow it
 * @param spec what to generate
 * @param retryCount 0 for the first run, then the retry's {@code retryCount}
 */
record JobRun(EventMetadata cause, JobSpec spec, int retryCount) {

  /**
   * @throws UnprocessableRecordException when the job id cannot name a staging folder, which no
   *     gateway-issued id does: such a record is dead-lettered rather than retried
   */
  JobRun {
    try {
      BlobPath.requireSegment(cause.getJobId());
    } catch (IllegalArgumentException e) {
      throw new UnprocessableRecordException("Job id '" + cause.getJobId() + "' cannot name a staging folder");
    }
    if (retryCount < 0) {
      throw new UnprocessableRecordException("Negative retry count " + retryCount + " for job " + cause.getJobId());
    }
  }

  static JobRun of(JobRequested requested) {
    return new JobRun(requested.getMetadata(), requested.getSpec(), 0);
  }

  /**
   * The retry's run; a request written before events carried their run (which reads as run 0) is
   * given the retry count as its run, so the events of the run carry the right one.
   */
  static JobRun of(JobRetryRequested retry) {
    EventMetadata cause = retry.getMetadata();
    if (cause.getRun() != retry.getRetryCount()) {
      cause = EventMetadata.newBuilder(cause).setRun(retry.getRetryCount()).build();
    }
    return new JobRun(cause, retry.getSpec(), retry.getRetryCount());
  }

  String jobId() {
    return cause.getJobId();
  }
}
