package dev.imagejobs.webhooks.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one poll brought that endpoints may want: ended jobs' events, in topic order, completed
 * summaries, and retries (which take a job of a batch out of the batch's ended jobs).
 */
final class IntakeBatch {

  /**
   * A job's event for the endpoints that want its type.
   *
   * @param data the payload's data without the project id; null for a completion (its summary is its data)
   * @param run the run that ended
   * @param status how it ended: completed, failed or canceled
   */
  record Ending(String eventId, String jobId, String type, String data, Instant occurredAt, int run, String status) {}

  /** A job queued again for run {@code run}. */
  record Retry(String jobId, int run) {}

  /** A completed job's summary, kept when one of its project's endpoints wants completions. */
  record Summary(String jobId, String tenantId, String projectId, String data) {}

  final List<Ending> endings = new ArrayList<>();
  final List<Summary> summaries = new ArrayList<>();
  final List<Retry> retries = new ArrayList<>();

  boolean isEmpty() {
    return endings.isEmpty() && summaries.isEmpty() && retries.isEmpty();
  }
}
