package dev.imagejobs.messaging;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Routes raw lifecycle records on their {@code ce_type} header before decoding, so a consumer pays a
 * header lookup for the event types it ignores. A record without the header is decoded to learn its
 * type. Undecodable records, and records whose header contradicts their value, throw so the error
 * handler dead-letters them.
 */
public final class LifecycleRecords {
  private final LifecycleCodec codec;

  public LifecycleRecords(LifecycleCodec codec) {
    this.codec = codec;
  }

  /**
   * The event, if its type is one of {@code wanted}.
   *
   * @throws dev.imagejobs.schemas.UndecodableEventException when the value cannot be decoded
   * @throws UnprocessableRecordException when {@code ce_type} names another type than the value has
   */
  public Optional<LifecycleEvent> decodeIfWanted(ConsumerRecord<byte[], byte[]> record, Set<EventType> wanted) {
    boolean typed = CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE).isPresent();
    Optional<EventType> declared = CloudEventHeaders.type(record.headers());
    if (typed && declared.filter(wanted::contains).isEmpty()) {
      return Optional.empty();
    }
    LifecycleEvent event = codec.decode(record.value());
    if (typed && declared.get() != event.type()) {
      throw new UnprocessableRecordException(
          "ce_type says " + declared.get().simpleName() + " but the value is a " + event.type().simpleName());
    }
    return wanted.contains(event.type()) ? Optional.of(event) : Optional.empty();
  }
}
