package dev.imagejobs.streams.completion;

import dev.imagejobs.schemas.Topic;
import dev.imagejobs.schemas.Topics;

/**
 * A record the topology writes: its encoded value and the topic it goes to. The key and headers
 * travel on the stream record.
 *
 * @param destination where the record goes
 * @param value the encoded value
 */
record Outbound(Destination destination, byte[] value) {

  /** The topics the topology writes to. */
  enum Destination {
    /** {@code ImageJobCompleted} summaries. */
    COMPLETED(Topics.COMPLETED),
    /** {@code JobFailed} events of the watchdog. */
    LIFECYCLE(Topics.LIFECYCLE),
    /** Lifecycle records that cannot be decoded or processed, byte for byte. */
    DEAD_LETTER(Topics.LIFECYCLE_DLQ),
    /** {@code RunEnded} records, one each time a run of a job ends. */
    ENDED_RUNS(Topics.ENDED_RUNS);

    private final Topic topic;

    Destination(Topic topic) {
      this.topic = topic;
    }

    Topic topic() {
      return topic;
    }
  }
}
