package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.avro.EventMetadata;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventMetadataFactoryTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
  private final EventMetadataFactory generation = new EventMetadataFactory("generation", clock);

  @Test
  void followingKeepsJobTenantAndTraceWithAFreshId() {
    EventMetadata cause = Events.metadata("job-1", "gateway", 0);

    EventMetadata next = generation.following(cause, 2);

    assertThat(next.getJobId()).isEqualTo("job-1");
    assertThat(next.getTenantId()).isEqualTo(cause.getTenantId());
    assertThat(next.getProducer()).isEqualTo("generation");
    assertThat(next.getAttempt()).isEqualTo(2);
    assertThat(next.getOccurredAt()).isEqualTo(clock.instant());
    assertThat(Traceparent.traceId(next.getTraceparent())).isEqualTo(Traceparent.traceId(cause.getTraceparent()));
    assertThat(next.getEventId()).isNotEqualTo(generation.following(cause, 2).getEventId());
  }

  @Test
  void reactingDerivesTheSameIdForARedeliveredCause() {
    EventMetadata cause = Events.metadata("job-1", "gateway", 0);

    String first = generation.reacting(cause, EventType.JOB_STARTED, 0).getEventId();
    String redelivered = generation.reacting(cause, EventType.JOB_STARTED, 0).getEventId();

    assertThat(redelivered).isEqualTo(first);
    assertThat(generation.reacting(cause, EventType.GENERATION_STARTED, 0).getEventId()).isNotEqualTo(first);
    assertThat(generation.reacting(cause, EventType.JOB_STARTED, 1).getEventId()).isNotEqualTo(first);
    assertThat(new EventMetadataFactory("upload", clock).reacting(cause, EventType.JOB_STARTED, 0).getEventId())
        .isNotEqualTo(first);
    assertThat(generation.reacting(Events.metadata("job-1", "gateway", 0), EventType.JOB_STARTED, 0).getEventId())
        .as("another cause event").isNotEqualTo(first);
  }

  @Test
  void firstStartsARunAndEveryFollowingEventKeepsIt() {
    EventMetadataFactory gateway = new EventMetadataFactory("gateway", clock);

    EventMetadata retry = gateway.first("job-1", "tenant-a", 2, null);

    assertThat(retry.getRun()).isEqualTo(2);
    assertThat(generation.following(retry, 1).getRun()).isEqualTo(2);
    assertThat(generation.reacting(retry, EventType.JOB_STARTED, 0).getRun()).isEqualTo(2);
    assertThat(gateway.first("job-2", "tenant-a", 0, null).getRun()).isZero();
  }
}
