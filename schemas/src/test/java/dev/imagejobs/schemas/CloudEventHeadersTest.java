package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.kafka.LifecycleEventDeserializer;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class CloudEventHeadersTest {

  @Test
  void serializerWritesBinaryModeCloudEventsHeaders() {
    JobRequested event = Events.aJobRequested("job-42");
    RecordHeaders headers = new RecordHeaders();

    byte[] value = new LifecycleEventSerializer().serialize("topic", headers, event);

    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.SPEC_VERSION)).contains("1.0");
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.ID)).contains(event.getMetadata().getEventId());
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.SOURCE)).contains("/image-jobs/gateway");
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.TYPE)).contains("dev.imagejobs.lifecycle.JobRequested");
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.TIME)).contains(event.getMetadata().getOccurredAt().toString());
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.SUBJECT)).contains("job-42");
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.CONTENT_TYPE)).contains("application/avro");
    // The traceparent header is the sending span's (the tracing propagator's), not the event's data.
    assertThat(CloudEventHeaders.value(headers, CloudEventHeaders.TRACEPARENT)).isEmpty();
    assertThat(CloudEventHeaders.type(headers)).contains(EventType.JOB_REQUESTED);
    assertThat(new LifecycleEventDeserializer().deserialize("topic", value).payload()).isEqualTo(event);
  }

  @Test
  void rewritingHeadersReplacesRatherThanDuplicates() {
    RecordHeaders headers = new RecordHeaders();
    LifecycleEventSerializer serializer = new LifecycleEventSerializer();
    serializer.serialize("topic", headers, Events.aJobRequested("job-1"));
    serializer.serialize("topic", headers, Events.aJobStarted("job-1"));

    assertThat(headers.headers(CloudEventHeaders.TYPE)).hasSize(1);
    assertThat(CloudEventHeaders.type(headers)).contains(EventType.JOB_STARTED);
  }

  @Test
  void unknownOrMissingTypeIsEmpty() {
    RecordHeaders headers = new RecordHeaders();
    assertThat(CloudEventHeaders.type(headers)).isEmpty();
    headers.add(CloudEventHeaders.TYPE, "com.example.Other".getBytes());
    assertThat(CloudEventHeaders.type(headers)).isEmpty();
  }

  @Test
  void everyEventTypeHasADistinctCeTypeThatMapsBack() {
    for (EventType type : EventType.values()) {
      assertThat(EventType.fromCeType(type.ceType())).contains(type);
      assertThat(EventType.fromSimpleName(type.simpleName())).contains(type);
    }
  }
}
