package dev.imagejobs.webhooks.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What one poll brought that endpoints may want: ended jobs' events, in topic order, and completed summaries. */
final class IntakeBatch {

  /**
   * A job's event for the endpoints that want its type.
   *
   * @param data the payload's data without the project id; null for a completion (its summary is its data)
   */
  record Ending(String eventId, String jobId, String type, String data, Instant occurredAt) {}

  /** A completed job's summary, kept when one of its project's endpoints wants completions. */
  record Summary(String jobId, String tenantId, String projectId, String data) {}

  final List<Ending> endings = new ArrayList<>();
  final List<Summary> summaries = new ArrayList<>();

  boolean isEmpty() {
    return endings.isEmpty() && summaries.isEmpty();
  }
}
