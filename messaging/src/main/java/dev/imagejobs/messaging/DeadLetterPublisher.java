package dev.imagejobs.messaging;

import dev.imagejobs.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/**
 * Copies a record that cannot be decoded or processed to {@link Topics#LIFECYCLE_DLQ} with its
 * original key, value and headers plus the reason and origin, and waits for the acknowledgement; the
 * error handler then commits past it, so the partition keeps flowing. If the dead-letter write fails
 * the record is redelivered rather than lost.
 */
public class DeadLetterPublisher implements ConsumerRecordRecoverer {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
  private static final int MAX_REASON_LENGTH = 1000;

  private final KafkaTemplate<byte[], byte[]> template;
  private final String consumerGroup;

  public DeadLetterPublisher(KafkaTemplate<byte[], byte[]> template, String consumerGroup) {
    this.template = template;
    this.consumerGroup = consumerGroup;
  }

  @Override
  public void accept(ConsumerRecord<?, ?> record, Exception exception) {
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
        new ProducerRecord<>(Topics.LIFECYCLE_DLQ.name(), null, bytes(record.key()), bytes(record.value()), headers);
    String origin = record.topic() + "-" + record.partition() + "@" + record.offset();
    try {
      template.send(deadLetter).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventPublishingException("Interrupted while dead-lettering " + origin, e);
    } catch (ExecutionException e) {
      throw new EventPublishingException("Cannot dead-letter " + origin, e.getCause());
    }
    log.warn("Dead-lettered {}: {}", origin, reason);
  }

  private static String reasonOf(Exception exception) {
    Throwable cause = exception;
    while (cause instanceof ListenerExecutionFailedException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH);
  }

  private static void add(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(Object keyOrValue) {
    if (keyOrValue == null || keyOrValue instanceof byte[]) {
      return (byte[]) keyOrValue;
    }
    return keyOrValue.toString().getBytes(StandardCharsets.UTF_8);
  }
}
