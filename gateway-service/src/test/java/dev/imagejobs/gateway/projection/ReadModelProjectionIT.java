package dev.imagejobs.gateway.projection;

import static dev.imagejobs.gateway.testing.LifecycleEvents.timeOfEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobSpec;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

class ReadModelProjectionIT extends GatewayIntegrationTest {
  /**
   * The history without the Kafka position, which the gateway's own JobRequested does not have,
   * and without the global sequence, which numbers events in the order a replay happens to apply them.
   */
  /** Every column of the jobs but the id of the transaction that wrote them last. */
  private static final String REPLAYABLE_JOBS = """
      SELECT to_jsonb(jobs) - 'last_tx_id' AS job FROM jobs ORDER BY job_id""";
  private static final String BACKLOG = """
      SELECT tenant_id, sum(queued)::bigint AS queued FROM tenant_backlog GROUP BY tenant_id HAVING sum(queued) <> 0
      ORDER BY tenant_id""";
  private static final String REPLAYABLE_HISTORY = """
      SELECT job_id, seq, event_id, event_type, status_after, occurred_at, producer, attempt, detail::text AS detail,
             tenant_id, project_id, job_after::text AS job_after
      FROM job_events ORDER BY job_id, seq""";

  @Autowired
  private ReadModelProjector projector;

  @Autowired
  private ProjectionStats stats;

  @Test
  void givenLifecycleOnTheTopicWhenProjectedThenRowAndHistoryFollowIt() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    publish(job.requested(), job.started(), job.generationStarted(1), job.imageGenerated(39_000), job.uploadStarted());
    JobCompleted completed = job.completed("project_p1/branch_main/master-assets/hero_x.png", "ab".repeat(32), 4096);
    publish(completed);
    long rejectedBefore = stats.rejected.get();
    long duplicatesBefore = stats.duplicates.get();

    publish(job.started());
    publish(completed);
    awaitProjectionCaughtUp();

    Map<String, Object> row = jobRow(job.jobId());
    assertThat(row.get("status")).isEqualTo("completed");
    assertThat(row.get("tenant_id")).isEqualTo("tenant-a");
    assertThat(row.get("attempt_count")).isEqualTo(1);
    assertThat(row.get("retry_count")).isEqualTo(0);
    assertThat(row.get("actual_cost_micros")).isEqualTo(39_000L);
    assertThat(row.get("storage_path")).isEqualTo("project_p1/branch_main/master-assets/hero_x.png");
    assertThat(row.get("sha256")).isEqualTo("ab".repeat(32));
    assertThat(row.get("size_bytes")).isEqualTo(4096L);
    assertThat(instant(row, "created_at")).isEqualTo(timeOfEvent(1));
    assertThat(instant(row, "started_at")).isEqualTo(timeOfEvent(2));
    assertThat(instant(row, "completed_at")).isEqualTo(timeOfEvent(6));
    assertThat(instant(row, "updated_at")).isEqualTo(timeOfEvent(6));
    assertThat(row.get("last_event_seq")).isEqualTo(6);

    List<Map<String, Object>> history = history(job.jobId());
    assertThat(history).extracting(e -> e.get("seq")).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(history).extracting(e -> e.get("event_type")).containsExactly(
        "JobRequested", "JobStarted", "GenerationStarted", "ImageGenerated", "UploadStarted", "JobCompleted");
    assertThat(history).extracting(e -> e.get("status_after")).containsExactly(
        "queued", "processing", "generating", "generated", "uploading", "completed");
    assertThat(history).allSatisfy(e -> {
      assertThat(e.get("kafka_partition")).isNotNull();
      assertThat(e.get("kafka_offset")).isNotNull();
    });
    assertThat(history.get(5).get("event_id")).isEqualTo(completed.getMetadata().getEventId());
    assertThat(jdbc().queryForObject(
        "SELECT detail -> 'metadata' ->> 'producer' || ' ' || (detail ->> 'storagePath') FROM job_events "
            + "WHERE job_id = ? AND seq = 6", String.class, job.jobId()))
        .isEqualTo("upload project_p1/branch_main/master-assets/hero_x.png");

    assertThat(stats.rejected.get() - rejectedBefore).as("JobStarted after completion").isEqualTo(1);
    assertThat(stats.duplicates.get() - duplicatesBefore).as("redelivered JobCompleted").isEqualTo(1);
  }

  @Test
  void givenBatchAppliedThenOffsetsAreInPostgresAndARestartResumesThereWithoutReapplying() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    List<RecordMetadata> sent = publish(job.requested(), job.started());
    awaitProjectionCaughtUp();
    int partition = sent.get(1).partition();
    assertThat(storedOffsets().get(partition)).isEqualTo(sent.get(1).offset() + 1);
    long appliedBefore = stats.applied.get();
    long duplicatesBefore = stats.duplicates.get();

    projector.stop();
    assertThat(projector.isRunning()).isFalse();
    publish(job.generationStarted(1));
    projector.start();
    awaitProjectionCaughtUp();

    assertThat(jobRow(job.jobId())).containsEntry("status", "generating").containsEntry("last_event_seq", 3);
    assertThat(history(job.jobId())).hasSize(3);
    assertThat(stats.applied.get() - appliedBefore).isEqualTo(1);
    assertThat(stats.duplicates.get() - duplicatesBefore).as("nothing before the stored offsets was read again")
        .isZero();
  }

  @Test
  void givenUndecodableRecordWhenProjectedThenItIsDeadLetteredAndTheNextRecordIsApplied() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    publish(job.requested());
    byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
    RecordMetadata poison = publishRaw(job.jobId(), garbage,
        Map.of(CloudEventHeaders.TYPE, EventType.JOB_STARTED.ceType(), CloudEventHeaders.ID, "poison-1"));
    publish(job.started());

    ConsumerRecord<String, byte[]> letter;
    try (TopicReader dlq = reader(Topics.LIFECYCLE_DLQ)) {
      letter = dlq.await(r -> job.jobId().equals(r.key()));
    }
    assertThat(letter.value()).isEqualTo(garbage);
    assertThat(header(letter, "dlq_reason")).startsWith("Undecodable");
    assertThat(header(letter, "dlq_source_topic")).isEqualTo(Topics.LIFECYCLE.name());
    assertThat(header(letter, "dlq_source_partition")).isEqualTo(Integer.toString(poison.partition()));
    assertThat(header(letter, "dlq_source_offset")).isEqualTo(Long.toString(poison.offset()));
    assertThat(header(letter, "dlq_consumer_group")).isEqualTo("image-jobs-gateway-projection");
    assertThat(header(letter, CloudEventHeaders.ID)).as("original headers are kept").isEqualTo("poison-1");

    awaitProjectionCaughtUp();
    assertThat(jobRow(job.jobId())).containsEntry("status", "processing").containsEntry("last_event_seq", 2);
  }

  @Test
  void givenARecordWithAnUnknownSchemaFingerprintWhenProjectedThenItIsDeadLetteredAndTheNextRecordIsApplied() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    publish(job.requested());
    // A well-formed single-object record whose writer schema no released version has (a newer writer).
    byte[] unknown = new LifecycleCodec().encode(job.started());
    unknown[2] ^= 0x7F;
    publishRaw(job.jobId(), unknown, Map.of(CloudEventHeaders.TYPE, EventType.JOB_STARTED.ceType()));
    publish(job.started());

    ConsumerRecord<String, byte[]> letter;
    try (TopicReader dlq = reader(Topics.LIFECYCLE_DLQ)) {
      letter = dlq.await(r -> job.jobId().equals(r.key()));
    }
    assertThat(letter.value()).isEqualTo(unknown);
    assertThat(header(letter, "dlq_reason")).contains("Unknown writer schema fingerprint");

    awaitProjectionCaughtUp();
    assertThat(jobRow(job.jobId())).containsEntry("status", "processing").containsEntry("last_event_seq", 2);
  }

  @Test
  void givenRecordOfAnUnknownEventTypeWhenProjectedThenItIsSkippedWithoutDecoding() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    long skippedBefore = stats.skipped.get();
    long deadLetteredBefore = stats.deadLettered.get();

    publish(job.requested());
    publishRaw(job.jobId(), new byte[] {1, 2, 3},
        Map.of(CloudEventHeaders.TYPE, EventType.CE_TYPE_PREFIX + "JobArchived"));
    publish(job.started());
    awaitProjectionCaughtUp();

    assertThat(stats.skipped.get() - skippedBefore).isEqualTo(1);
    assertThat(stats.deadLettered.get() - deadLetteredBefore).isZero();
    assertThat(jobRow(job.jobId())).containsEntry("status", "processing");
  }

  @Test
  void givenReadModelDroppedWhenTheTopicIsReplayedThenEveryRowIsRebuiltTheSame() {
    String location = as("tenant-r").post().uri("/api/v1/images/jobs")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"START_FRAME","projectId":"p9","branchId":"main","sceneId":"s1","shotId":"sh2",
             "prompt":"Fog rolls over the harbour","aspectRatio":"21:9","imageSize":"2K"}""")
        .exchange().expectStatus().isAccepted()
        .expectBody().returnResult().getResponseHeaders().getLocation().toString();
    LifecycleEvents created = LifecycleEvents.forJob(location.substring(location.lastIndexOf('/') + 1), "tenant-r");
    LifecycleEvents failing = LifecycleEvents.aJob("tenant-r");
    // The generation service reacts to the relayed JobRequested, so its events follow it on the topic.
    awaitOutboxDrained();
    publish(created.started(), created.generationStarted(1));
    JobSpec lowPriority = Events.anAssetKeySpec().setPriority(JobPriority.LOW).build();
    publish(failing.requested(lowPriority), failing.started(), failing.failed("processing", "PERMANENT", "refused"),
        failing.retryRequested(1, lowPriority), failing.cancelRequested());
    awaitOutboxDrained();
    awaitProjectionCaughtUp();
    List<Map<String, Object>> jobsBefore = jdbc().queryForList(REPLAYABLE_JOBS);
    List<Map<String, Object>> historyBefore = jdbc().queryForList(REPLAYABLE_HISTORY);
    List<Map<String, Object>> backlogBefore = jdbc().queryForList(BACKLOG);
    assertThat(backlogBefore).as("queued jobs of tenant-r: the retried one").contains(
        Map.of("tenant_id", "tenant-r", "queued", 1L));
    assertThat(jobRow(created.jobId())).as("the start frame's default").containsEntry("priority", "high");
    assertThat(jobRow(failing.jobId())).containsEntry("priority", "low");

    projector.stop();
    jdbc().execute("TRUNCATE jobs, job_events, projection_offsets, tenant_backlog");
    projector.start();
    awaitProjectionCaughtUp();

    assertThat(jdbc().queryForList(REPLAYABLE_JOBS)).isEqualTo(jobsBefore);
    assertThat(jdbc().queryForList(REPLAYABLE_HISTORY)).isEqualTo(historyBefore);
    assertThat(jdbc().queryForList(BACKLOG)).as("queued jobs per tenant").isEqualTo(backlogBefore);
  }

  private static Instant instant(Map<String, Object> row, String column) {
    Object value = row.get(column);
    return value instanceof Timestamp timestamp ? timestamp.toInstant() : (Instant) value;
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    return CloudEventHeaders.value(record.headers(), name).orElse(null);
  }
}
