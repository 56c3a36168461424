package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents Kafka protocol binding, binary mode: the event's attributes travel as {@code ce_*}
 * headers and the Avro body is the record value, so consumers route on {@code ce_type} without
 * decoding. The W3C {@code traceparent} header is the sending span's, written by the tracing
 * propagator when the record is sent (never from the event's {@code traceparent} field, which is data).
 */
public final class CloudEventHeaders {
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String ID = "ce_id";
  public static final String SOURCE = "ce_source";
  public static final String TYPE = "ce_type";
  public static final String TIME = "ce_time";
  public static final String SUBJECT = "ce_subject";
  public static final String CONTENT_TYPE = "content-type";
  public static final String TRACEPARENT = "traceparent";

  public static final String SPEC_VERSION_1_0 = "1.0";
  public static final String AVRO_CONTENT_TYPE = "application/avro";
  static final String SOURCE_PREFIX = "/image-jobs/";

  private CloudEventHeaders() {}

  /** Replaces the CloudEvents attributes on {@code headers} with those of {@code event}. */
  public static void write(Headers headers, LifecycleEvent event) {
    EventMetadata metadata = event.metadata();
    set(headers, SPEC_VERSION, SPEC_VERSION_1_0);
    set(headers, ID, metadata.getEventId());
    set(headers, SOURCE, SOURCE_PREFIX + metadata.getProducer());
    set(headers, TYPE, event.type().ceType());
    set(headers, TIME, metadata.getOccurredAt().toString());
    set(headers, SUBJECT, metadata.getJobId());
    set(headers, CONTENT_TYPE, AVRO_CONTENT_TYPE);
  }

  /**
   * The attributes of an Avro record that is not a lifecycle event (a completed summary, a budget
   * event), in new headers.
   *
   * @param producer the service that wrote it ({@code ce_source /image-jobs/<producer>})
   */
  public static Headers of(String id, String producer, String type, Instant time, String subject) {
    Headers headers = new RecordHeaders();
    set(headers, SPEC_VERSION, SPEC_VERSION_1_0);
    set(headers, ID, id);
    set(headers, SOURCE, SOURCE_PREFIX + producer);
    set(headers, TYPE, type);
    set(headers, TIME, time.toString());
    set(headers, SUBJECT, subject);
    set(headers, CONTENT_TYPE, AVRO_CONTENT_TYPE);
    return headers;
  }

  /** The event type named by {@code ce_type}, if the header is present and known. */
  public static Optional<EventType> type(Headers headers) {
    return value(headers, TYPE).flatMap(EventType::fromCeType);
  }

  public static Optional<String> value(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  /** Replaces the header {@code name} with {@code value} (UTF-8). */
  public static void set(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
