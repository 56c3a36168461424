package dev.imagejobs.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TestPostgres;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class OutboxRelayIT extends GatewayIntegrationTest {
  private final LifecycleCodec codec = new LifecycleCodec();

  @Autowired
  private OutboxRelay relay;

  @Test
  void givenAnotherRelayHoldsAJobsOldestRowThenThatJobWaitsAndOthersFlowThenItsEventsGoOutInOrder()
      throws Exception {
    LifecycleEvents x = LifecycleEvents.aJob("tenant-a");
    LifecycleEvents y = LifecycleEvents.aJob("tenant-a");
    relay.stop();
    long xFirst = insert(x.requested());
    insert(x.cancelRequested());
    insert(y.requested());

    try (TopicReader lifecycle = reader(Topics.LIFECYCLE);
        Connection otherRelay = TestPostgres.dataSource().getConnection()) {
      otherRelay.setAutoCommit(false);
      try (PreparedStatement lock = otherRelay.prepareStatement("SELECT id FROM outbox WHERE id = ? FOR UPDATE")) {
        lock.setLong(1, xFirst);
        lock.executeQuery().close();
      }
      relay.start();

      lifecycle.await(record -> y.jobId().equals(record.key()));
      assertThat(lifecycle.seen(record -> x.jobId().equals(record.key())))
          .as("the later event of a job whose oldest row is held elsewhere must wait")
          .isEmpty();

      otherRelay.rollback();
      lifecycle.await(record -> x.jobId().equals(record.key()) && isType(record, "JobCancelRequested"));
      List<ConsumerRecord<String, byte[]>> xRecords = lifecycle.seen(record -> x.jobId().equals(record.key()));
      assertThat(xRecords).extracting(record -> codec.decode(record.value()).type().simpleName())
          .containsExactly("JobRequested", "JobCancelRequested");
    } finally {
      relay.start();
    }
    awaitOutboxDrained();
  }

  @Test
  void givenARowLeasedByARelayThatStoppedThenOtherJobsFlowAndTheRowGoesOutOnceTheLeaseRunsOut() {
    LifecycleEvents x = LifecycleEvents.aJob("tenant-a");
    LifecycleEvents y = LifecycleEvents.aJob("tenant-a");
    relay.stop();
    long xFirst = insert(x.requested());
    insert(y.requested());
    // What a relay that died while waiting for the broker leaves behind.
    jdbc().update("UPDATE outbox SET leased_until = now() + interval '3 seconds' WHERE id = ?", xFirst);

    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      relay.start();
      lifecycle.await(record -> y.jobId().equals(record.key()));
      assertThat(lifecycle.seen(record -> x.jobId().equals(record.key())))
          .as("a leased row is not published by another relay before its lease runs out")
          .isEmpty();
      assertThat(jdbc().queryForObject("SELECT count(*) FROM outbox WHERE id = ?", Long.class, xFirst)).isOne();

      lifecycle.await(record -> x.jobId().equals(record.key()));
    } finally {
      relay.start();
    }
    awaitOutboxDrained();
  }

  private long insert(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    return jdbc().queryForObject(
        "INSERT INTO outbox (job_id, event_type, payload) VALUES (?, ?, ?) RETURNING id", Long.class,
        lifecycleEvent.jobId(), lifecycleEvent.type().simpleName(), codec.encode(event));
  }

  private static boolean isType(ConsumerRecord<String, byte[]> record, String simpleName) {
    return CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE)
        .filter(type -> type.endsWith("." + simpleName))
        .isPresent();
  }
}
