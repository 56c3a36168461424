package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.FilesystemBlobStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

class JobsApiIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String ISO_INSTANT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
  private static final String ASSET_KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper with a red scarf","aspectRatio":"16:9","imageSize":"1K"}""";

  @Autowired
  private WebTestClient http;

  @Test
  void givenValidRequestWhenPostedThenJobIsQueuedReadableAndAnnouncedOnTheLifecycleTopic() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    URI location = http.post().uri(JOBS)
        .header(CloudEventHeaders.TRACEPARENT, "00-" + traceId + "-00f067aa0ba902b7-01")
        .header(TenantResolver.HEADER, "studio-7")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody()
        .jsonPath("$.status").isEqualTo("queued")
        .jsonPath("$.jobType").isEqualTo("ASSET_IMAGE_KEY")
        .jsonPath("$.estimatedCostMicros").isEqualTo(0)
        .returnResult().getResponseHeaders().getLocation();

    assertThat(location.toString()).matches(JOBS + "/[0-9a-f-]{36}");
    String jobId = location.toString().substring(JOBS.length() + 1);

    http.get().uri(location.toString()).header(TenantResolver.HEADER, "studio-7").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.jobId").isEqualTo(jobId)
        .jsonPath("$.status").isEqualTo("queued")
        .jsonPath("$.attemptCount").isEqualTo(0)
        .jsonPath("$.retryCount").isEqualTo(0)
        .jsonPath("$.provider").isEqualTo("local")
        .jsonPath("$.model").isEqualTo("local-v1")
        .jsonPath("$.createdAt").value(createdAt -> assertThat((String) createdAt).matches(ISO_INSTANT))
        .jsonPath("$.completedAt").isEmpty()
        .jsonPath("$.image").isEmpty();

    ConsumerRecord<String, byte[]> record;
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      record = lifecycle.await(r -> jobId.equals(r.key()));
    }
    String eventId = (String) history(jobId).get(0).get("event_id");
    assertThat(header(record, CloudEventHeaders.TYPE)).isEqualTo(EventType.JOB_REQUESTED.ceType());
    assertThat(header(record, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(record, CloudEventHeaders.ID)).isEqualTo(eventId);
    assertThat(header(record, CloudEventHeaders.SOURCE)).isEqualTo("/image-jobs/gateway");
    assertThat(header(record, CloudEventHeaders.SUBJECT)).isEqualTo(jobId);
    assertThat(header(record, CloudEventHeaders.CONTENT_TYPE)).isEqualTo("application/avro");
    assertThat(Traceparent.traceId(header(record, CloudEventHeaders.TRACEPARENT))).contains(traceId);

    LifecycleEvent event = new LifecycleCodec().decode(record.value());
    JobRequested requested = event.payload(JobRequested.class);
    assertThat(requested.getMetadata().getTenantId()).isEqualTo("studio-7");
    assertThat(requested.getMetadata().getEventId()).isEqualTo(eventId);
    assertThat(requested.getSpec().getAssetId()).isEqualTo("hero");
    assertThat(requested.getSpec().getProvider()).isEqualTo("local");

    awaitOutboxDrained();
    awaitProjectionCaughtUp();
    assertThat(history(jobId)).as("the relayed copy of the gateway's own event is not applied again").hasSize(1);
  }

  @Test
  void givenRunningGatewayThenHealthIsUpWithTheProjection() {
    http.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.components.projection.status").isEqualTo("UP")
        .jsonPath("$.components.r2dbc.status").isEqualTo("UP");
  }

  @Test
  void givenNoTenantHeaderWhenPostedThenTheDefaultTenantOwnsTheJob() {
    URI location = create(null, ASSET_KEY);

    http.get().uri(location.toString()).exchange().expectStatus().isOk();
    assertThat(jobRow(jobIdOf(location))).containsEntry("tenant_id", "local");
  }

  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        Arguments.of("frame without scene and shot", """
            {"jobType":"START_FRAME","projectId":"p1","branchId":"main","prompt":"Dawn","aspectRatio":"16:9"}""",
            new String[] {"sceneId", "shotId"}),
        Arguments.of("asset key without asset", """
            {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","prompt":"Hero","aspectRatio":"1:1"}""",
            new String[] {"assetId"}),
        Arguments.of("unknown enumerations", """
            {"jobType":"POSTER","projectId":"p1","branchId":"main","assetId":"a","prompt":"x","aspectRatio":"7:5",
             "imageSize":"8K"}""",
            new String[] {"aspectRatio", "imageSize", "jobType"}),
        Arguments.of("unsafe ids and prompt too long", """
            {"jobType":"ASSET_IMAGE_KEY","projectId":"../p1","branchId":"main","assetId":"a b","prompt":"%s",
             "aspectRatio":"1:1"}""".formatted("x".repeat(4001)),
            new String[] {"assetId", "projectId", "prompt"}),
        Arguments.of("empty object", "{}",
            new String[] {"aspectRatio", "branchId", "jobType", "projectId", "prompt"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBodies")
  void givenInvalidBodyWhenPostedThenProblemListsTheFieldsAndNothingIsWritten(
      String description, String body, String[] fields) {
    long jobsBefore = count("jobs");
    long outboxIdsBefore = outboxIdsUsed();

    http.post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(400)
        .jsonPath("$.title").isEqualTo("Invalid request")
        .jsonPath("$.errors[*].field").value(found -> assertThat(found).asList().containsExactly((Object[]) fields))
        .jsonPath("$.errors[0].message").isNotEmpty();

    assertThat(count("jobs")).isEqualTo(jobsBefore);
    assertThat(outboxIdsUsed()).isEqualTo(outboxIdsBefore);
  }

  @Test
  void givenMalformedJsonWhenPostedThenProblemAndNothingIsWritten() {
    long jobsBefore = count("jobs");

    http.post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue("{\"jobType\":").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);

    assertThat(count("jobs")).isEqualTo(jobsBefore);
  }

  @Test
  void givenMalformedTenantHeaderWhenPostedThenProblemNamesTheHeader() {
    http.post().uri(JOBS).header(TenantResolver.HEADER, "tenant/../x").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("X-Tenant-Id");
  }

  @Test
  void givenJobOfAnotherTenantWhenReadThenItDoesNotExist() {
    URI location = create("tenant-a", ASSET_KEY);

    http.get().uri(location.toString()).header(TenantResolver.HEADER, "tenant-b").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(404);
    http.get().uri(location + "/image").header(TenantResolver.HEADER, "tenant-b").exchange()
        .expectStatus().isNotFound();
    http.get().uri(location.toString()).header(TenantResolver.HEADER, "tenant-a").exchange()
        .expectStatus().isOk();
  }

  @Test
  void givenUnknownOrMalformedJobIdWhenReadThenNotFoundOrBadRequest() {
    http.get().uri(JOBS + "/no-such-job").exchange().expectStatus().isNotFound();
    http.get().uri(JOBS + "/" + "x".repeat(65)).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("jobId");
  }

  @Test
  void givenCompletedJobWhenImageIsRequestedThenTheStoredBytesAreServedWithTheirEtag() throws Exception {
    URI location = create("tenant-a", ASSET_KEY);
    String jobId = jobIdOf(location);
    http.get().uri(location + "/image").header(TenantResolver.HEADER, "tenant-a").exchange()
        .expectStatus().isNotFound();

    byte[] png = "\u0089PNG\r\n\u001a\n fake image bytes".getBytes(StandardCharsets.ISO_8859_1);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
    String storagePath = "project_p1/branch_main/master-assets/hero_" + jobId + ".png";
    new FilesystemBlobStore(STORAGE_DIR.resolve("asset-images"))
        .putIfAbsent(new BlobPath(storagePath), png, new BlobMetadata("image/png", "private", Map.of()));
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "tenant-a");
    // The other services react to the relayed JobRequested, so their events follow it on the topic.
    awaitOutboxDrained();
    publish(job.started(), job.generationStarted(1), job.imageGenerated(0), job.uploadStarted(),
        job.completed(storagePath, sha256, png.length));

    await().atMost(PATIENCE).untilAsserted(() -> http.get().uri(location.toString())
        .header(TenantResolver.HEADER, "tenant-a").exchange().expectBody().jsonPath("$.status").isEqualTo("completed"));
    http.get().uri(location.toString()).header(TenantResolver.HEADER, "tenant-a").exchange()
        .expectBody()
        .jsonPath("$.image.url").isEqualTo(location + "/image")
        .jsonPath("$.image.sha256").isEqualTo(sha256)
        .jsonPath("$.image.storagePath").isEqualTo(storagePath)
        .jsonPath("$.image.sizeBytes").isEqualTo(png.length)
        .jsonPath("$.completedAt").isNotEmpty();

    http.get().uri(location + "/image").header(TenantResolver.HEADER, "tenant-a").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(MediaType.IMAGE_PNG)
        .expectHeader().valueEquals(HttpHeaders.ETAG, "\"" + sha256 + "\"")
        .expectBody(byte[].class).isEqualTo(png);
    http.get().uri(location + "/image").header(TenantResolver.HEADER, "tenant-a")
        .header(HttpHeaders.IF_NONE_MATCH, "\"" + sha256 + "\"").exchange()
        .expectStatus().isNotModified()
        .expectBody().isEmpty();
    http.get().uri(location + "/image").header(TenantResolver.HEADER, "tenant-b").exchange()
        .expectStatus().isNotFound();
  }

  private URI create(String tenant, String body) {
    WebTestClient.RequestBodySpec post = http.post().uri(JOBS).contentType(MediaType.APPLICATION_JSON);
    if (tenant != null) {
      post = post.header(TenantResolver.HEADER, tenant);
    }
    return post.bodyValue(body).exchange()
        .expectStatus().isAccepted()
        .expectBody().returnResult().getResponseHeaders().getLocation();
  }

  private static String jobIdOf(URI location) {
    return location.toString().substring(JOBS.length() + 1);
  }

  private long count(String table) {
    return jdbc().queryForObject("SELECT count(*) FROM " + table, Long.class);
  }

  /** The outbox id sequence only moves when a row is inserted, even one rolled back later. */
  private long outboxIdsUsed() {
    return jdbc().queryForObject(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_id_seq", Long.class);
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    return CloudEventHeaders.value(record.headers(), name).orElse(null);
  }
}
