package dev.imagejobs.messaging;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where records go that cannot be decoded or processed: the dead-letter topic, in the services. */
@FunctionalInterface
public interface DeadLetters {

  /**
   * Copies {@code record} aside with {@code reason}, without waiting.
   *
   * @return completes once the copy is stored (the record may then be committed), or fails
   */
  CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason);
}
