package dev.imagejobs.gateway.projection;

import dev.imagejobs.messaging.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes records the projection cannot use to the dead-letter topic with their original key,
 * value and headers, plus where they came from and why, so the partition keeps flowing.
 */
final class DeadLetters {

  private final KafkaTemplate<String, byte[]> kafka;
  private final String topic;
  private final String consumerGroup;
  private final Duration timeout;

  /** @param topic the dead-letter topic's name in this deployment */
  DeadLetters(KafkaTemplate<String, byte[]> kafka, String topic, String consumerGroup, Duration timeout) {
    this.kafka = kafka;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.timeout = timeout;
  }

  /**
   * Sends {@code record} to the dead-letter topic and waits for the broker's acknowledgement.
   *
   * @throws DeadLetterException when it was not acknowledged in time; the batch is then retried
   */
  void publish(ConsumerRecord<String, byte[]> record, String reason) {
    Headers headers = new RecordHeaders();
    for (Header header : record.headers()) {
      if (!header.key().startsWith("dlq_")) {
        headers.add(header);
      }
    }
    add(headers, DeadLetterHeaders.REASON, reason);
    add(headers, DeadLetterHeaders.SOURCE_TOPIC, record.topic());
    add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()));
    add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()));
    add(headers, DeadLetterHeaders.CONSUMER_GROUP, consumerGroup);
    ProducerRecord<String, byte[]> letter =
        new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
    try {
      kafka.send(letter).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new DeadLetterException("Dead letter not acknowledged", e.getCause());
    } catch (TimeoutException e) {
      throw new DeadLetterException("Dead letter not acknowledged within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeadLetterException("Interrupted while sending a dead letter", e);
    }
  }

  private static void add(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A dead letter could not be published; nothing of its batch is applied. */
  static final class DeadLetterException extends RuntimeException {
    DeadLetterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
