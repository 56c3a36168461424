package dev.imagejobs.streams.completion;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Headers of a dead letter: the original ones plus why the record was refused and where it came
 * from, so an operator can find, fix and replay it.
 */
final class DeadLetters {
  static final String REASON = "dlq_reason";
  static final String SOURCE_TOPIC = "dlq_source_topic";
  static final String SOURCE_PARTITION = "dlq_source_partition";
  static final String SOURCE_OFFSET = "dlq_source_offset";
  static final String CONSUMER_GROUP = "dlq_consumer_group";

  private static final int MAX_REASON_LENGTH = 1000;

  private DeadLetters() {}

  static Headers headers(Headers original, Exception failure, RecordMetadata source, String consumerGroup) {
    Headers headers = new RecordHeaders();
    for (Header header : original) {
      headers.add(header);
    }
    set(headers, REASON, reason(failure));
    set(headers, SOURCE_TOPIC, source.topic());
    set(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
    set(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    set(headers, CONSUMER_GROUP, consumerGroup);
    return headers;
  }

  static String reason(Exception failure) {
    String reason = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH);
  }

  private static void set(Headers headers, String name, String value) {
    // A record replayed from the dead-letter topic carries the headers of its first failure.
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
