package dev.imagejobs.gateway.readmodel;

import tools.jackson.databind.json.JsonMapper;

/** The job rows stored with each event ({@code job_events.job_after}) as JSON, and back. */
final class JobSnapshots {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JobSnapshots() {}

  static String write(JobRow row) {
    return JSON.writeValueAsString(row);
  }

  static JobRow read(String json) {
    return JSON.readValue(json, JobRow.class);
  }
}
