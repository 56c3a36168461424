package dev.imagejobs.messaging;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Copies a record that cannot be decoded or processed to {@link Topics#LIFECYCLE_DLQ} with its
 * original key, value and headers plus the reason and origin; the returned future completes once
 * the broker acknowledged the copy, and only then may the record be committed, so a record whose
 * dead-letter write failed is delivered again rather than lost.
 */
public class DeadLetterPublisher implements DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
  private static final int MAX_REASON_LENGTH = 1000;

  private final KafkaTemplate<byte[], byte[]> template;
  private final String topic;
  private final String consumerGroup;

  /**
   * @param topic the dead-letter topic's name in this deployment
   * @param consumerGroup the group that could not process the records, named in their headers
   */
  public DeadLetterPublisher(KafkaTemplate<byte[], byte[]> template, String topic, String consumerGroup) {
    this.template = template;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
  }

  @Override
  public CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String reason = reasonOf(exception);
    Headers headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    add(headers, DeadLetterHeaders.REASON, reason);
    add(headers, DeadLetterHeaders.SOURCE_TOPIC, record.topic());
    add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()));
    add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()));
    add(headers, DeadLetterHeaders.CONSUMER_GROUP, consumerGroup);
    ProducerRecord<byte[], byte[]> deadLetter =
        new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
    String origin = record.topic() + "-" + record.partition() + "@" + record.offset();
    CompletableFuture<Void> stored = new CompletableFuture<>();
    try {
      template.send(deadLetter).whenComplete((result, failure) -> {
        if (failure == null) {
          log.warn("Dead-lettered {}: {}", origin, reason);
          stored.complete(null);
        } else {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          stored.completeExceptionally(new EventPublishingException("Cannot dead-letter " + origin, cause));
        }
      });
    } catch (RuntimeException e) {
      stored.completeExceptionally(new EventPublishingException("Cannot dead-letter " + origin, e));
    }
    return stored;
  }

  private static String reasonOf(Exception exception) {
    Throwable cause = exception;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH);
  }

  private static void add(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
