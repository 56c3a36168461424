package dev.imagejobs.messaging;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Work started for one record of the lifecycle topic, read as raw bytes by an {@link InFlightConsumer}. */
@FunctionalInterface
public interface RecordHandler {

  /**
   * Starts the work for {@code record} and returns at once: it is called on the consumer's thread,
   * which must go back to polling.
   *
   * @return completes when the record is done with and its offset may be committed; fails only when
   *     the work was abandoned (the service stops), which leaves the record to be delivered again
   */
  CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record);
}
