package dev.imagejobs.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.GatewayApplication;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import dev.imagejobs.tokens.DevTokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The audit against a real broker, a real PostgreSQL and the real gateway projecting a mixed
 * workload (completed, failed after an attempt failure, failed then retried then completed,
 * canceled, created over HTTP, plus a duplicate, an illegal event and a poison record): the rebuild
 * from offset 0 equals the live read model, and a tampered live row is reported.
 */
class ReadModelAuditIT {
  private static final String SECRET = "audit-it-secret-of-at-least-thirty-two-bytes";
  private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

  private static EmbeddedKafkaKraftBroker broker;
  private static EmbeddedPostgres postgres;
  private static ConfigurableApplicationContext gateway;
  private static KafkaProducer<String, SpecificRecord> producer;
  private static AuditSettings settings;

  private static final String COMPLETED = "job-completed-" + UUID.randomUUID();
  private static final String FAILED = "job-failed-" + UUID.randomUUID();
  private static final String RETRIED = "job-retried-" + UUID.randomUUID();
  private static final String CANCELED = "job-canceled-" + UUID.randomUUID();
  private static String createdOverHttp;

  @BeforeAll
  static void startEverything() throws Exception {
    broker = new EmbeddedKafkaKraftBroker(1, 3);
    broker.afterPropertiesSet();
    postgres = EmbeddedPostgres.builder().start();
    // Arguments, as a deployment's settings: above the defaults of the gateway's application.yml.
    gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
        "--server.port=0",
        "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
        "--imagejobs.database.port=" + postgres.getPort(),
        "--imagejobs.database.name=postgres",
        "--imagejobs.jwt.secret=" + SECRET,
        "--imagejobs.topics.partitions=3",
        "--imagejobs.storage.dir=" + Files.createTempDirectory("audit-it"));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new LifecycleEventSerializer());
    settings = AuditSettings.fromEnvironment(Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", broker.getBrokersAsString(),
        "IMAGEJOBS_DATABASE_PORT", Integer.toString(postgres.getPort()), "IMAGEJOBS_DATABASE_NAME", "postgres"));
    runMixedWorkload();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  @ParameterizedTest(name = "{0} writers")
  @ValueSource(ints = {1, 2, 3, 4})
  void givenAMixedWorkload_whenTheReadModelIsRebuiltFromOffsetZero_thenItEqualsTheLiveOne(int writers) {
    StringWriter output = new StringWriter();
    AuditSettings withWriters = new AuditSettings(settings.bootstrapServers(), settings.postgresHost(),
        settings.postgresPort(), settings.database(), settings.user(), settings.password(), settings.liveSchema(),
        settings.sslMode(), settings.kafkaClient(), settings.topics(), writers);

    int code = new AuditTool(withWriters, new PrintWriter(output, true), Clock.systemUTC()).run("verify-read-model");

    // Three partitions: one writer takes all of them, two share them unevenly, three take one each,
    // and a fourth would have none.
    assertThat(output.toString()).containsPattern("Replayed \\d+ events into schema audit_\\w+ in [0-9.]+ s \\(\\d+ events/s, "
        + Math.min(writers, 3) + " writers; 1 undecodable").contains("5 jobs compared, 0 differences");
    assertThat(code).as(output.toString()).isEqualTo(AuditTool.OK);
  }

  @Test
  void givenATamperedLiveRow_thenTheComparisonReportsItAndExitsNonZero() throws Exception {
    execute("UPDATE jobs SET error_message = 'edited by hand' WHERE job_id = '" + FAILED + "'");
    try {
      StringWriter output = new StringWriter();

      int code = tool(output).run("verify-read-model", "--keep-schema");

      assertThat(code).isEqualTo(AuditTool.DIFFERENCES);
      assertThat(output.toString())
          .contains("DIFFERENCE job " + FAILED + ": error_message live=edited by hand rebuilt=Provider said no")
          .contains("1 differences")
          .contains("Rebuilt read model kept in schema audit_");
    } finally {
      execute("UPDATE jobs SET error_message = 'Provider said no' WHERE job_id = '" + FAILED + "'");
    }
  }

  @Test
  void printsTheOrderedHistoryOfAJobWithTheStatusEachEventLeadsTo() {
    StringWriter output = new StringWriter();

    int code = tool(output).run("history", "--job", RETRIED);

    assertThat(code).isEqualTo(AuditTool.OK);
    assertThat(output.toString().lines().filter(line -> line.contains(RETRIED) && line.contains("@")).map(ReadModelAuditIT::typeAndStatus))
        .containsExactly("JobRequested->queued", "JobStarted->processing", "GenerationStarted->generating",
            "JobFailed->failed", "JobRetryRequested->queued", "JobStarted->processing",
            "GenerationStarted->generating", "ImageGenerated->generated", "UploadStarted->uploading",
            "JobCompleted->completed");
  }

  @Test
  void printsAProjectsHistoryWithinATimeRange() {
    StringWriter output = new StringWriter();

    int code = tool(output).run("history", "--project", "audited", "--from", T0.plusSeconds(100).toString(),
        "--to", T0.plusSeconds(200).toString());

    assertThat(code).isEqualTo(AuditTool.OK);
    assertThat(output.toString()).contains(CANCELED).doesNotContain(COMPLETED).contains("JobCanceled");
  }

  @Test
  void unknownCommandsAreUsageErrors() {
    StringWriter output = new StringWriter();
    assertThat(tool(output).run("rewrite-history")).isEqualTo(AuditTool.USAGE_ERROR);
    assertThat(output.toString()).contains("Usage:");
  }

  private static String typeAndStatus(String line) {
    String[] columns = line.trim().split("\\s+");
    return columns[3] + "->" + columns[5];
  }

  private static AuditTool tool(StringWriter output) {
    return new AuditTool(settings, new PrintWriter(output, true), Clock.systemUTC());
  }

  private static void runMixedWorkload() throws Exception {
    JobRequested completed = requested(COMPLETED, 0);
    publish(completed, started(completed, 1), generationStarted(completed, 2, 1), generated(completed, 3, 1),
        uploadStarted(completed, 4, 1), jobCompleted(completed, 5, 1));
    publish(completed.getMetadata().getJobId(), completed);

    JobRequested failed = requested(FAILED, 10);
    publish(failed, started(failed, 11), generationStarted(failed, 12, 1), GenerationAttemptFailed.newBuilder()
            .setMetadata(meta(failed, 13, "generation", 1)).setErrorClass("TEMPORARY").setErrorCode("503")
            .setMessage("Unavailable").setRetryDelayMillis(1000).build(),
        generationStarted(failed, 14, 2), jobFailed(failed, 15, 2),
        uploadStarted(failed, 16, 2));

    JobRequested retried = requested(RETRIED, 20);
    publish(retried, started(retried, 21), generationStarted(retried, 22, 1), jobFailed(retried, 23, 1),
        ofRun(1, JobRetryRequested.newBuilder().setMetadata(meta(retried, 24, "gateway", 0))
            .setSpec(retried.getSpec()).setRetryCount(1).build()),
        ofRun(1, started(retried, 25)), ofRun(1, generationStarted(retried, 26, 1)), ofRun(1, generated(retried, 27, 1)),
        ofRun(1, uploadStarted(retried, 28, 1)), ofRun(1, jobCompleted(retried, 29, 1)));

    JobRequested canceled = requested(CANCELED, 150);
    publish(canceled, started(canceled, 151),
        JobCancelRequested.newBuilder().setMetadata(meta(canceled, 152, "gateway", 0)).setReason("not needed").build(),
        JobCanceled.newBuilder().setMetadata(meta(canceled, 153, "generation", 0)).setStage("processing")
            .setReason("not needed").build());

    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), "poison".getBytes(), "not avro".getBytes())).get();
    }

    HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + gateway.getEnvironment().getProperty("local.server.port")
                + "/api/v1/images/jobs"))
        .header("Authorization", "Bearer " + DevTokens.mint(SECRET, "tenant-a", Duration.ofHours(1)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"jobType":"START_FRAME","projectId":"audited","branchId":"main","sceneId":"s1","shotId":"sh1",
             "prompt":"Harbour at dawn","aspectRatio":"16:9"}"""))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
    createdOverHttp = created.headers().firstValue("Location").orElseThrow().replaceAll(".*/", "");

    await().atMost(Duration.ofSeconds(60)).until(() ->
        "completed".equals(status(COMPLETED)) && "failed".equals(status(FAILED))
            && "completed".equals(status(RETRIED)) && "canceled".equals(status(CANCELED))
            && count("SELECT count(*) FROM outbox") == 0
            && count("SELECT count(*) FROM job_events WHERE job_id = '" + createdOverHttp + "'") == 1);
  }

  private static JobRequested requested(String jobId, int second) {
    JobSpec spec = Events.anAssetKeySpec().setProjectId("audited").build();
    return JobRequested.newBuilder().setMetadata(meta(jobId, second, "gateway", 0)).setSpec(spec).build();
  }

  private static EventMetadata meta(JobRequested cause, int second, String producer, int attempt) {
    return meta(cause.getMetadata().getJobId(), second, producer, attempt);
  }

  private static EventMetadata meta(String jobId, int second, String producer, int attempt) {
    EventMetadata metadata = Events.metadata(jobId, producer, attempt);
    metadata.setOccurredAt(T0.plusSeconds(second));
    return metadata;
  }

  /** {@code event} as an event of the job's {@code run} (its first retry, say). */
  private static <T extends SpecificRecord> T ofRun(int run, T event) {
    LifecycleEvent.of(event).metadata().setRun(run);
    return event;
  }

  private static JobStarted started(JobRequested job, int second) {
    return JobStarted.newBuilder().setMetadata(meta(job, second, "generation", 0)).build();
  }

  private static GenerationStarted generationStarted(JobRequested job, int second, int attempt) {
    return GenerationStarted.newBuilder().setMetadata(meta(job, second, "generation", attempt)).setProvider("local")
        .setModel("local-v1").build();
  }

  private static ImageGenerated generated(JobRequested job, int second, int attempt) {
    return ImageGenerated.newBuilder().setMetadata(meta(job, second, "generation", attempt)).setSpec(job.getSpec())
        .setStagedRef("staging/" + job.getMetadata().getJobId() + "/attempt-1.png").setContentType("image/png")
        .setSizeBytes(1000).setSha256("ab".repeat(32)).setWidth(1024).setHeight(576).setProvider("local")
        .setModel("local-v1").setActualCostMicros(1200).build();
  }

  private static UploadStarted uploadStarted(JobRequested job, int second, int attempt) {
    return UploadStarted.newBuilder().setMetadata(meta(job, second, "upload", attempt)).build();
  }

  private static JobCompleted jobCompleted(JobRequested job, int second, int attempt) {
    String path = "project_audited/branch_main/master-assets/hero_" + job.getMetadata().getJobId() + ".png";
    return JobCompleted.newBuilder().setMetadata(meta(job, second, "upload", attempt)).setStoragePath(path)
        .setObjectUri("file:///images/" + path).setContentType("image/png").setSizeBytes(1000).setWidth(1024)
        .setHeight(576).setSha256("ab".repeat(32)).build();
  }

  private static JobFailed jobFailed(JobRequested job, int second, int attempt) {
    return JobFailed.newBuilder().setMetadata(meta(job, second, "generation", attempt)).setFailureStage("generating")
        .setErrorClass("PERMANENT").setErrorCode("400").setMessage("Provider said no").build();
  }

  private static void publish(SpecificRecord... events) throws Exception {
    for (SpecificRecord event : events) {
      publish(dev.imagejobs.schemas.LifecycleEvent.of(event).jobId(), event);
    }
  }

  private static void publish(String key, SpecificRecord event) throws Exception {
    producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), key, event)).get();
  }

  private static String status(String jobId) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT status FROM jobs WHERE job_id = '" + jobId + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static long count(String sql) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String sql) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
