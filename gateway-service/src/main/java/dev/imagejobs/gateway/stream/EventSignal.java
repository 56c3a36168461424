package dev.imagejobs.gateway.stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A wake-up for streams: some event was committed. Only a hint of what to re-read, never the data
 * itself; a signal without a job or project (a resynchronisation, or an unreadable payload) wakes
 * every stream.
 *
 * @param globalSeq the event's global position, 0 when unknown
 * @param jobId its job, or {@code null} for any
 * @param projectId its project, or {@code null} for any
 */
record EventSignal(long globalSeq, String jobId, String projectId) {
  /** After (re)connecting, anything may have been missed. */
  static final EventSignal RESYNC = new EventSignal(0, null, null);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  boolean concernsJob(String id) {
    return jobId == null || jobId.equals(id);
  }

  boolean concernsProject(String id) {
    return projectId == null || projectId.equals(id);
  }

  /** Reads a notification payload written by the read model. */
  static EventSignal parse(String payload) {
    if (payload == null || payload.isBlank()) {
      return RESYNC;
    }
    try {
      JsonNode node = JSON.readTree(payload);
      JsonNode id = node.get("id");
      JsonNode job = node.get("jobId");
      JsonNode project = node.get("projectId");
      return new EventSignal(
          id != null && id.canConvertToLong() ? id.asLong() : 0,
          job != null && job.isString() ? job.asString() : null,
          project != null && project.isString() ? project.asString() : null);
    } catch (JacksonException | IllegalArgumentException e) {
      return RESYNC;
    }
  }
}
