package dev.imagejobs.infra.benchmark;

import java.time.Instant;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The three fields of a job view (a 202 answer or an event's data) the benchmark needs, read with a
 * streaming parser that skips everything else: the client must stay cheap next to the services it
 * shares the cores with.
 *
 * @param jobId the job's id
 * @param status its status after the event ({@code queued}, ..., {@code completed})
 * @param updatedAt when the event that produced this view happened (the event's own time)
 * @param eventSeq the number of that event in the job's history, 0 when absent
 */
record JobViewFields(String jobId, String status, Instant updatedAt, long eventSeq) {

  static JobViewFields parse(JsonMapper json, String view) {
    String jobId = null;
    String status = null;
    Instant updatedAt = null;
    long eventSeq = 0;
    try (JsonParser parser = json.createParser(view)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("Not a JSON object: " + abbreviate(view));
      }
      for (JsonToken token = parser.nextToken(); token == JsonToken.PROPERTY_NAME; token = parser.nextToken()) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
        } else if (value == JsonToken.VALUE_STRING) {
          switch (name) {
            case "jobId" -> jobId = parser.getString();
            case "status" -> status = parser.getString();
            case "updatedAt" -> updatedAt = Instant.parse(parser.getString());
            default -> {
              // Not needed.
            }
          }
        } else if (value == JsonToken.VALUE_NUMBER_FLOAT || value == JsonToken.VALUE_NUMBER_INT) {
          if (name.equals("updatedAt")) {
            // Dates written as decimal seconds since the epoch.
            updatedAt = Instant.ofEpochSecond(0, Math.round(parser.getDoubleValue() * 1e6) * 1000);
          } else if (name.equals("eventSeq")) {
            eventSeq = parser.getLongValue();
          }
        }
      }
    }
    return new JobViewFields(jobId, status, updatedAt, eventSeq);
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
