package dev.imagejobs.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.outbound.WebhookSecret;
import dev.imagejobs.outbound.WebhookSignature;
import dev.imagejobs.schemas.BudgetEventCodec;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.avro.BudgetThresholdReached;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import dev.imagejobs.webhooks.WebhookReceiver.Received;
import dev.imagejobs.webhooks.budgets.BudgetEventPublisher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook service against a real broker, a real PostgreSQL with the gateway's schema, and a
 * real HTTP receiver that verifies every signature: what it delivers, in which order, how it
 * retries, logs, and gives up on an endpoint; that a slow endpoint holds up no other.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
        "imagejobs.topics.partitions=3",
        "imagejobs.webhooks.allow-private-addresses=true",
        "imagejobs.webhooks.allow-http=true",
        "imagejobs.webhooks.retry-schedule=200ms,300ms,300ms",
        "imagejobs.webhooks.jitter=0",
        "imagejobs.webhooks.timeout=10s",
        "imagejobs.webhooks.poll-interval=100ms",
        "imagejobs.webhooks.max-in-flight-per-endpoint=2",
        "imagejobs.webhooks.disable-after=1h"})
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookServiceIT {
  private static final EmbeddedPostgres POSTGRES = startPostgres();
  private static final String KEY = SecretBox.generateKey();
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final WebhookReceiver receiver = new WebhookReceiver();
  private final SecretBox box = new SecretBox(KEY);

  @Autowired
  private JdbcTemplate jdbc;
  @Autowired
  private EmbeddedKafkaBroker broker;
  @Autowired
  private TopicNames topics;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("imagejobs.database.port", POSTGRES::getPort);
    registry.add("imagejobs.database.name", () -> "postgres");
    registry.add("imagejobs.webhooks.encryption-key", () -> KEY);
  }

  @AfterAll
  void stop() throws IOException {
    receiver.close();
  }

  @Test
  void givenEndpointsOfAProject_whenAJobFailsIsRetriedAndCompletes_thenEachGetsWhatItWantsInOrderSignedOnce() {
    String project = "order";
    String secret = WebhookSecret.generate();
    URI all = receiver.endpoint("/all", secret);
    URI completions = receiver.endpoint("/completions", secret);
    endpoint("tenant-a", project, all, secret, "job.completed", "job.failed", "job.canceled");
    endpoint("tenant-a", project, completions, secret, "job.completed");
    endpoint("tenant-b", project, receiver.endpoint("/other-tenant", secret), secret, "job.failed");
    String jobId = job("tenant-a", project);

    JobFailed failed = JobFailed.newBuilder().setMetadata(Events.metadata(jobId, "generation", 1))
        .setFailureStage("generating").setErrorClass("TEMPORARY").setMessage("The provider was unavailable").build();
    JobFailed sameAgain = JobFailed.newBuilder(failed).build();
    JobCompleted completed = completed(jobId, 1);
    publish(failed, sameAgain, completed);
    publishSummary(summary(jobId, project, completed));

    await().atMost(PATIENCE).until(() -> receiver.received("/all").size() == 2
        && receiver.received("/completions").size() == 1);
    List<Received> toAll = receiver.received("/all");
    assertThat(toAll).allMatch(Received::verified);
    assertThat(toAll).extracting(request -> json(request.body()).get("type").asString())
        .containsExactly("job.failed", "job.completed");
    JsonNode failure = json(toAll.get(0).body());
    assertThat(toAll.get(0).id()).isEqualTo("msg_" + failed.getMetadata().getEventId());
    assertThat(failure.get("timestamp").asString()).isEqualTo(failed.getMetadata().getOccurredAt().toString());
    assertThat(failure.get("data").get("projectId").asString()).isEqualTo(project);
    assertThat(failure.get("data").get("message").asString()).isEqualTo("The provider was unavailable");
    assertThat(failure.get("data").get("errorClass").asString()).isEqualTo("TEMPORARY");
    JsonNode completion = json(receiver.received("/completions").get(0).body()).get("data");
    assertThat(completion.get("jobId").asString()).isEqualTo(jobId);
    assertThat(completion.get("image").asString()).isEqualTo("/api/v1/images/jobs/" + jobId + "/image");
    assertThat(completion.get("actualCostUsd").decimalValue()).isEqualByComparingTo("0.0015");
    assertThat(completion.has("objectUri")).isFalse();
    assertThat(receiver.received("/other-tenant")).isEmpty();
  }

  @Test
  void givenAnEndpointThatFailsTwice_whenAJobIsCanceled_thenTheSameMessageIsRetriedUntilItIsTakenAndEveryAttemptIsLogged() {
    String secret = WebhookSecret.generate();
    UUID endpoint = endpoint("tenant-a", "retries", receiver.endpoint("/flaky", secret), secret, "job.canceled");
    receiver.answer("/flaky", 500, 503);
    String jobId = job("tenant-a", "retries");

    publish(JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(jobId, "gateway", 0)).setReason("not needed").build());

    await().atMost(PATIENCE).until(() -> "delivered".equals(status(endpoint, jobId)));
    List<Received> attempts = receiver.received("/flaky");
    assertThat(attempts).hasSize(3).allMatch(Received::verified);
    assertThat(attempts).extracting(Received::id).containsOnly(attempts.get(0).id());
    assertThat(attempts).extracting(Received::body).containsOnly(attempts.get(0).body());
    assertThat(jdbc.queryForList("SELECT a.attempt, a.status_code FROM webhook_attempts a"
        + " JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ? ORDER BY a.attempt", endpoint))
        .containsExactly(Map.of("attempt", 1, "status_code", 500), Map.of("attempt", 2, "status_code", 503),
            Map.of("attempt", 3, "status_code", 204));
    assertThat(jdbc.queryForObject("SELECT failing_since FROM webhook_endpoints WHERE id = ?", Timestamp.class,
        endpoint)).as("a success ends the endpoint's failing").isNull();
  }

  @Test
  void givenAJobsFirstEventIsRetried_whenItsSecondArrives_thenTheSecondWaitsForTheFirst() {
    String secret = WebhookSecret.generate();
    UUID endpoint = endpoint("tenant-a", "wait", receiver.endpoint("/ordered", secret), secret,
        "job.failed", "job.canceled");
    receiver.answer("/ordered", 500, 500);
    String jobId = job("tenant-a", "wait");

    publish(JobFailed.newBuilder().setMetadata(Events.metadata(jobId, "generation", 1)).setFailureStage("generating")
            .setErrorClass("TEMPORARY").setMessage("first").build(),
        JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(jobId, "gateway", 1)).setReason("second").build());

    await().atMost(PATIENCE).until(() -> receiver.received("/ordered").size() == 4);
    assertThat(receiver.received("/ordered")).extracting(request -> json(request.body()).get("type").asString())
        .containsExactly("job.failed", "job.failed", "job.failed", "job.canceled");
    await().atMost(PATIENCE).until(() -> jdbc.queryForObject("SELECT count(*) FROM webhook_deliveries"
        + " WHERE endpoint_id = ? AND status = 'delivered'", Long.class, endpoint) == 2);
  }

  @Test
  void givenASlowEndpoint_whenManyJobsFail_thenAnotherEndpointGetsItsDeliveriesWhileTheSlowOneHoldsAtMostItsShare()
      throws Exception {
    String secret = WebhookSecret.generate();
    endpoint("tenant-a", "slow", receiver.endpoint("/slow", secret), secret, "job.failed");
    endpoint("tenant-a", "slow", receiver.endpoint("/fast", secret), secret, "job.failed");
    CountDownLatch slowAnswers = new CountDownLatch(1);
    receiver.hold("/slow", slowAnswers);
    int jobs = 12;
    for (int i = 0; i < jobs; i++) {
      String jobId = job("tenant-a", "slow");
      publish(JobFailed.newBuilder().setMetadata(Events.metadata(jobId, "generation", 1)).setFailureStage("generating")
          .setErrorClass("PERMANENT").setMessage("job " + i).build());
    }

    await().atMost(PATIENCE).until(() -> receiver.received("/fast").size() == jobs);
    assertThat(receiver.received("/slow")).hasSizeLessThanOrEqualTo(2);
    slowAnswers.countDown();
    await().atMost(PATIENCE).until(() -> receiver.received("/slow").size() == jobs);
    assertThat(receiver.mostAtOnce("/slow")).isEqualTo(2);
  }

  @Test
  void givenAnEndpointThatAlwaysFails_whenItsRetriesAreSpent_thenTheDeliveryFailsAndA410DisablesTheEndpoint() {
    String secret = WebhookSecret.generate();
    UUID failing = endpoint("tenant-a", "failing", receiver.endpoint("/down", secret), secret, "job.canceled");
    receiver.answer("/down", 500, 500, 500, 500);
    String jobId = job("tenant-a", "failing");
    publish(JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(jobId, "gateway", 0)).build());

    await().atMost(PATIENCE).until(() -> "failed".equals(status(failing, jobId)));
    assertThat(receiver.received("/down")).hasSize(4);
    assertThat(jdbc.queryForObject("SELECT failing_since FROM webhook_endpoints WHERE id = ?", Timestamp.class,
        failing)).isNotNull();

    UUID gone = endpoint("tenant-a", "gone", receiver.endpoint("/gone", secret), secret, "job.canceled");
    receiver.answer("/gone", 410);
    String other = job("tenant-a", "gone");
    publish(JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(other, "gateway", 0)).build());
    await().atMost(PATIENCE).until(() -> !jdbc.queryForObject("SELECT enabled FROM webhook_endpoints WHERE id = ?",
        Boolean.class, gone));
    assertThat(jdbc.queryForObject("SELECT disabled_reason FROM webhook_endpoints WHERE id = ?", String.class, gone))
        .isEqualTo("The endpoint answered 410 Gone");
    assertThat(status(gone, other)).as("a disabled endpoint's deliveries wait for it").isEqualTo("pending");
  }

  @Test
  void givenARotatedSecret_whenADeliveryIsSent_thenItIsSignedWithTheNewAndThePreviousSecret() {
    String previous = WebhookSecret.generate();
    String current = WebhookSecret.generate();
    URI url = receiver.endpoint("/rotated", current);
    UUID endpoint = endpoint("tenant-a", "rotated", url, current, "job.canceled");
    jdbc.update("UPDATE webhook_endpoints SET previous_secret = ?, previous_secret_expires_at = now() + interval '1 hour'"
        + " WHERE id = ?", box.seal(previous), endpoint);
    String jobId = job("tenant-a", "rotated");
    publish(JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(jobId, "gateway", 0)).build());

    await().atMost(PATIENCE).until(() -> receiver.received("/rotated").size() == 1);
    Received request = receiver.received("/rotated").get(0);
    assertThat(request.signature().split(" ")).hasSize(2);
    for (String secret : List.of(current, previous)) {
      assertThat(WebhookSignature.verify(secret, request.id(), request.timestamp(), request.body(), request.signature(),
          Duration.ofMinutes(5), Instant.now())).isTrue();
    }
  }

  @Test
  void givenAnEndpointRegisteredAfterAnEvent_whenTheEventIsRead_thenItIsNotDeliveredToIt() {
    String secret = WebhookSecret.generate();
    String jobId = job("tenant-a", "late");
    JobFailed before = JobFailed.newBuilder().setMetadata(Events.metadata(jobId, "generation", 1))
        .setFailureStage("generating").setErrorClass("TEMPORARY").setMessage("an hour ago").build();
    before.getMetadata().setOccurredAt(Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS));
    UUID endpoint = endpoint("tenant-a", "late", receiver.endpoint("/late", secret), secret,
        "job.failed", "job.canceled");
    publish(before, JobCanceled.newBuilder().setStage("queued").setMetadata(Events.metadata(jobId, "gateway", 1)).build());

    // The job's events are read in order: once the later one is delivered, the earlier one was read.
    await().atMost(PATIENCE).until(() -> "delivered".equals(status(endpoint, jobId)));
    assertThat(receiver.received("/late")).extracting(request -> json(request.body()).get("type").asString())
        .containsExactly("job.canceled");
  }

  @Test
  void givenADeliveryClaimedByAnInstanceThatDied_whenItsLeaseRunsOut_thenItIsSentAgainWithTheSameMessage() {
    String secret = WebhookSecret.generate();
    UUID endpoint = endpoint("tenant-a", "lease", receiver.endpoint("/lease", secret), secret, "job.canceled");
    String eventId = UUID.randomUUID().toString();
    // As a dead instance left it: claimed (first attempt counted), never answered, lease just expired.
    jdbc.update("INSERT INTO webhook_deliveries (endpoint_id, event_id, job_id, event_type, data, occurred_at,"
        + " attempts, leased_until) VALUES (?, ?, 'job-lease', 'job.canceled', '{\"jobId\":\"job-lease\"}', now(), 1,"
        + " now() - interval '1 second')", endpoint, eventId);

    await().atMost(PATIENCE).until(() -> "delivered".equals(status(endpoint, "job-lease")));
    assertThat(receiver.received("/lease")).singleElement().satisfies(request -> {
      assertThat(request.id()).isEqualTo("msg_" + eventId);
      assertThat(request.verified()).isTrue();
    });
    assertThat(jdbc.queryForList("SELECT a.attempt FROM webhook_attempts a JOIN webhook_deliveries d"
        + " ON d.id = a.delivery_id WHERE d.endpoint_id = ?", Integer.class, endpoint)).containsExactly(2);
  }

  @Test
  void givenABudgetThresholdCrossed_whenTheServiceLooks_thenEndpointsThatWantItGetItOnce() {
    String secret = WebhookSecret.generate();
    endpoint("tenant-a", "budget", receiver.endpoint("/budget", secret), secret, "budget.threshold");
    endpoint("tenant-a", "budget", receiver.endpoint("/jobs-only", secret), secret, "job.failed");
    Long alert = jdbc.queryForObject("INSERT INTO budget_alerts (tenant_id, project_id, threshold_percent,"
        + " amount_micros, spent_micros, reserved_micros, period_start) VALUES ('tenant-a', 'budget', 80, 10000,"
        + " 5000, 3500, '2026-12-01T00:00:00Z') RETURNING id", Long.class);

    await().atMost(PATIENCE).until(() -> receiver.received("/budget").size() == 1);
    Received request = receiver.received("/budget").get(0);
    assertThat(request.verified()).isTrue();
    assertThat(request.id()).isEqualTo("msg_budget-" + alert);
    JsonNode body = json(request.body());
    assertThat(body.get("type").asString()).isEqualTo("budget.threshold");
    JsonNode data = body.get("data");
    assertThat(data.get("thresholdPercent").asInt()).isEqualTo(80);
    assertThat(data.get("amountUsd").decimalValue()).isEqualByComparingTo("0.01");
    assertThat(data.get("spentUsd").decimalValue()).isEqualByComparingTo("0.005");
    assertThat(data.get("reservedUsd").decimalValue()).isEqualByComparingTo("0.0035");
    assertThat(data.get("remainingUsd").decimalValue()).isEqualByComparingTo("0.0015");
    assertThat(data.get("periodStart").asString()).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(jdbc.queryForObject("SELECT fanned_out_at IS NOT NULL FROM budget_alerts WHERE id = ?", Boolean.class,
        alert)).isTrue();
    assertThat(receiver.received("/jobs-only")).isEmpty();
  }

  @Test
  void givenTwoThresholdsOfAProjectReached_thenEachIsPublishedOnceOnTheBudgetsTopicInOrderWithItsFigures() {
    long first = alert("budget-events", 80, 10_000_000, 6_000_000, 2_500_000);
    long second = alert("budget-events", 100, 10_000_000, 9_000_000, 1_500_000);

    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (Consumer<byte[], byte[]> consumer = budgetsConsumer()) {
      await().atMost(PATIENCE).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (new String(record.key(), StandardCharsets.UTF_8).equals("tenant-a/budget-events")) {
            records.add(record);
          }
        });
        return records.size() >= 2;
      });
      // Published: not again in later rounds.
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (new String(record.key(), StandardCharsets.UTF_8).equals("tenant-a/budget-events")) {
            records.add(record);
          }
        });
        return records.size() == 2;
      });
    }
    BudgetEventCodec codec = new BudgetEventCodec();
    List<BudgetThresholdReached> events = records.stream().map(record -> codec.decode(record.value())).toList();
    assertThat(events).extracting(BudgetThresholdReached::getThresholdPercent).containsExactly(80, 100);
    BudgetThresholdReached reached = events.get(0);
    assertThat(reached.getTenantId()).isEqualTo("tenant-a");
    assertThat(reached.getProjectId()).isEqualTo("budget-events");
    assertThat(reached.getAmountMicros()).isEqualTo(10_000_000);
    assertThat(reached.getSpentMicros()).isEqualTo(6_000_000);
    assertThat(reached.getReservedMicros()).isEqualTo(2_500_000);
    assertThat(reached.getRemainingMicros()).isEqualTo(1_500_000);
    assertThat(events.get(1).getRemainingMicros()).isZero();
    assertThat(reached.getPeriodStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(reached.getEventId()).isEqualTo(BudgetEventPublisher.eventId(first))
        .isNotEqualTo(BudgetEventPublisher.eventId(second));
    assertThat(header(records.get(0), CloudEventHeaders.ID)).isEqualTo(reached.getEventId());
    assertThat(header(records.get(0), CloudEventHeaders.TYPE)).isEqualTo("dev.imagejobs.budgets.BudgetThresholdReached");
    assertThat(header(records.get(0), CloudEventHeaders.SOURCE)).isEqualTo("/image-jobs/webhooks");
    assertThat(jdbc.queryForList("SELECT published_at IS NOT NULL FROM budget_alerts WHERE id IN (?, ?)",
        Boolean.class, first, second)).containsExactly(true, true);
  }

  private long alert(String project, int percent, long amount, long spent, long reserved) {
    return jdbc.queryForObject("INSERT INTO budget_alerts (tenant_id, project_id, threshold_percent, amount_micros,"
        + " spent_micros, reserved_micros, period_start) VALUES ('tenant-a', ?, ?, ?, ?, ?, '2026-12-01T00:00:00Z')"
        + " RETURNING id", Long.class, project, percent, amount, spent, reserved);
  }

  private Consumer<byte[], byte[]> budgetsConsumer() {
    Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ConsumerConfig.GROUP_ID_CONFIG, "budgets-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics.budgets()));
    return consumer;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return CloudEventHeaders.value(record.headers(), name).orElse(null);
  }

  @Test
  void givenABatchsJobsEnding_whenTheLastEnds_thenEachProjectsEndpointGetsBatchEndedOnceWithHowTheyEnded() {
    String secret = WebhookSecret.generate();
    endpoint("tenant-a", "batch-p1", receiver.endpoint("/batch-p1", secret), secret, "batch.ended");
    endpoint("tenant-a", "batch-p2", receiver.endpoint("/batch-p2", secret), secret, "batch.ended", "job.failed");
    endpoint("tenant-a", "batch-p1", receiver.endpoint("/batch-failures", secret), secret, "job.failed");
    String batchId = UUID.randomUUID().toString();
    String retried = job("tenant-a", "batch-p1", batchId);
    String canceled = job("tenant-a", "batch-p1", batchId);
    String completed = job("tenant-a", "batch-p2", batchId);

    // The first job fails and is retried: while its second run goes on the batch has not ended.
    JobFailed failed = JobFailed.newBuilder().setMetadata(Events.metadata(retried, "generation", 1))
        .setFailureStage("generating").setErrorClass("PERMANENT").setMessage("refused").build();
    var retryMetadata = Events.metadata(retried, "gateway", 0);
    retryMetadata.setRun(1);
    publish(failed, JobRetryRequested.newBuilder().setMetadata(retryMetadata).setSpec(Events.anAssetKeySpec().build())
            .setRetryCount(1).build(),
        JobCanceled.newBuilder().setMetadata(Events.metadata(canceled, "generation", 0)).setStage("generating")
            .setReason("requested through the API").build(),
        completed(completed, 0));
    await().atMost(PATIENCE).until(() -> receiver.received("/batch-failures").size() == 1);
    publish(completed(retried, 1));

    await().atMost(PATIENCE).until(() -> receiver.received("/batch-p1").size() == 1
        && receiver.received("/batch-p2").size() == 1);
    JsonNode ended = json(receiver.received("/batch-p1").get(0).body());
    assertThat(ended.get("type").asString()).isEqualTo("batch.ended");
    assertThat(receiver.received("/batch-p1").get(0).id()).isEqualTo("msg_batch-" + batchId);
    JsonNode data = ended.get("data");
    assertThat(data.get("batchId").asString()).isEqualTo(batchId);
    assertThat(data.get("projectId").asString()).isEqualTo("batch-p1");
    assertThat(data.get("jobCount").asInt()).isEqualTo(3);
    assertThat(data.get("completed").asInt()).as("the retried job's second run counts").isEqualTo(2);
    assertThat(data.get("failed").asInt()).isZero();
    assertThat(data.get("canceled").asInt()).isEqualTo(1);
    JsonNode toOtherProject = json(receiver.received("/batch-p2").get(0).body());
    assertThat(toOtherProject.get("type").asString()).isEqualTo("batch.ended");
    assertThat(toOtherProject.get("data").get("projectId").asString()).isEqualTo("batch-p2");
    assertThat(toOtherProject.get("data").get("jobs")).hasSize(3);

    // Read again (a duplicate ending), the batch is not announced again.
    publish(completed(completed, 0), JobFailed.newBuilder(failed).setMetadata(
        Events.metadata(job("tenant-a", "batch-p1"), "generation", 1)).build());
    await().atMost(PATIENCE).until(() -> receiver.received("/batch-failures").size() == 2);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'batch.ended'"
        + " AND event_id = ?", Long.class, "batch-" + batchId)).isEqualTo(2);
  }

  private UUID endpoint(String tenant, String project, URI url, String secret, String... types) {
    UUID id = UUID.randomUUID();
    jdbc.update("INSERT INTO webhook_endpoints (id, tenant_id, project_id, url, event_types, secret, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, now() - interval '1 second')",
        ps -> {
          ps.setObject(1, id);
          ps.setString(2, tenant);
          ps.setString(3, project);
          ps.setString(4, url.toString());
          ps.setArray(5, ps.getConnection().createArrayOf("text", types));
          ps.setBytes(6, box.seal(secret));
        });
    return id;
  }

  /** A job's row as the gateway writes it at creation. */
  private String job(String tenant, String project) {
    return job(tenant, project, null);
  }

  /** A job's row as the gateway writes it at creation, in a batch unless {@code batchId} is null. */
  private String job(String tenant, String project, String batchId) {
    String jobId = UUID.randomUUID().toString();
    jdbc.update("INSERT INTO jobs (job_id, tenant_id, job_type, project_id, branch_id, prompt, aspect_ratio, provider,"
        + " model, status, created_at, updated_at, last_event_seq, batch_id) VALUES (?, ?, 'ASSET_IMAGE_KEY', ?, 'main',"
        + " 'A lighthouse', '16:9', 'local', 'local-v1', 'queued', now(), now(), 1, ?)", jobId, tenant, project, batchId);
    return jobId;
  }

  private String status(UUID endpoint, String jobId) {
    List<String> statuses = jdbc.queryForList("SELECT status FROM webhook_deliveries WHERE endpoint_id = ?"
        + " AND job_id = ? ORDER BY id DESC", String.class, endpoint, jobId);
    return statuses.isEmpty() ? null : statuses.get(0);
  }

  private static JobCompleted completed(String jobId, int run) {
    var metadata = Events.metadata(jobId, "upload", 1);
    metadata.setRun(run);
    return JobCompleted.newBuilder().setMetadata(metadata).setStoragePath("asset-images/x.png")
        .setObjectUri("file:///tmp/x.png").setContentType("image/png").setSizeBytes(1234)
        .setWidth(1024).setHeight(576).setSha256("ab".repeat(32)).build();
  }

  private static ImageJobCompleted summary(String jobId, String project, JobCompleted completed) {
    Instant at = completed.getMetadata().getOccurredAt();
    return ImageJobCompleted.newBuilder().setJobId(jobId).setCompletedEventId(completed.getMetadata().getEventId())
        .setTenantId("tenant-a").setJobType(JobType.ASSET_IMAGE_KEY).setProjectId(project).setBranchId("main")
        .setAssetId("hero").setPrompt("A lighthouse").setAspectRatio("16:9").setImageSize("1K")
        .setStoragePath("asset-images/x.png").setObjectUri("file:///tmp/x.png").setContentType("image/png")
        .setSizeBytes(1234).setWidth(1024).setHeight(576).setSha256("ab".repeat(32)).setEstimatedCostMicros(1500)
        .setActualCostMicros(1500).setProvider("local").setModel("local-v1").setAttempts(1).setRetries(1)
        .setCreatedAt(at.minusSeconds(5)).setStartedAt(at.minusSeconds(4)).setCompletedAt(at).build();
  }

  private void publish(SpecificRecord... events) {
    try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new StringSerializer(), new LifecycleEventSerializer())) {
      for (SpecificRecord event : events) {
        String jobId = dev.imagejobs.schemas.LifecycleEvent.of(event).jobId();
        producer.send(new ProducerRecord<>(topics.lifecycle(), jobId, event));
      }
    }
  }

  private void publishSummary(ImageJobCompleted summary) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topics.completed(), summary.getJobId(), new CompletedJobCodec().encode(summary)));
    }
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }

  private static EmbeddedPostgres startPostgres() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
