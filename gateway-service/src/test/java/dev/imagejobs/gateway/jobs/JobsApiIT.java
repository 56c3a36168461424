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
import dev.imagejobs.schemas.avro.JobPriority;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

class JobsApiIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String ISO_INSTANT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z";
  private static final String ASSET_KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper with a red scarf","aspectRatio":"16:9","imageSize":"1K"}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenValidRequestWhenPostedThenJobIsQueuedReadableAndAnnouncedOnTheLifecycleTopic() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    URI location = as("studio-7").post().uri(JOBS)
        .header(CloudEventHeaders.TRACEPARENT, "00-" + traceId + "-00f067aa0ba902b7-01")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY)
        .exchange()
        .expectStatus().isAccepted()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo("queued")
        .jsonPath("$.jobType").isEqualTo("ASSET_IMAGE_KEY")
        .jsonPath("$.priority").isEqualTo("normal")
        .jsonPath("$.estimatedCostMicros").isEqualTo(1500)
        .jsonPath("$.eventSeq").isEqualTo(1)
        .returnResult().getResponseHeaders().getLocation();

    assertThat(location.toString()).matches(JOBS + "/[0-9a-f-]{36}");
    String jobId = location.toString().substring(JOBS.length() + 1);

    as("studio-7").get().uri(location.toString()).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.jobId").isEqualTo(jobId)
        .jsonPath("$.status").isEqualTo("queued")
        .jsonPath("$.attemptCount").isEqualTo(0)
        .jsonPath("$.totalAttemptCount").isEqualTo(0)
        .jsonPath("$.totalActualCostMicros").isEmpty()
        .jsonPath("$.retryCount").isEqualTo(0)
        .jsonPath("$.cancelRequested").isEqualTo(false)
        .jsonPath("$.provider").isEqualTo("local")
        .jsonPath("$.model").isEqualTo("local-v1")
        .jsonPath("$.estimatedCostMicros").isEqualTo(1500)
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

    LifecycleEvent event = codec.decode(record.value());
    JobRequested requested = event.payload(JobRequested.class);
    assertThat(requested.getMetadata().getTenantId()).as("the tenant comes from the token").isEqualTo("studio-7");
    assertThat(requested.getMetadata().getEventId()).isEqualTo(eventId);
    assertThat(requested.getSpec().getAssetId()).isEqualTo("hero");
    assertThat(requested.getSpec().getProvider()).isEqualTo("local");
    assertThat(requested.getSpec().getEstimatedCostMicros()).isEqualTo(1500);
    assertThat(requested.getSpec().getPriority()).as("the asset key default").isEqualTo(JobPriority.NORMAL);
    assertThat(requested.getSpec().getStyleText()).isNull();

    awaitOutboxDrained();
    awaitProjectionCaughtUp();
    assertThat(history(jobId)).as("the relayed copy of the gateway's own event is not applied again").hasSize(1);
  }

  @Test
  void givenFrameWithStyleCapsuleAndSizeWhenPostedThenSpecCarriesTheStyleTextAndTheSizePrice() {
    URI location = as("studio-8").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"END_FRAME","projectId":"p2","branchId":"main","sceneId":"s1","shotId":"sh3",
             "prompt":"The door closes","styleCapsuleId":"noir","aspectRatio":"21:9","imageSize":"2K"}""")
        .exchange()
        .expectStatus().isAccepted()
        .expectBody()
        .jsonPath("$.styleCapsuleId").isEqualTo("noir")
        .jsonPath("$.estimatedCostMicros").isEqualTo(3000)
        .returnResult().getResponseHeaders().getLocation();
    String jobId = location.toString().substring(JOBS.length() + 1);

    JobRequested requested;
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      requested = codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
    assertThat(requested.getSpec().getStyleCapsuleId()).isEqualTo("noir");
    assertThat(requested.getSpec().getStyleText()).contains("film noir");
    assertThat(requested.getSpec().getPrompt()).as("the prompt stays as sent").isEqualTo("The door closes");
    assertThat(jobRow(jobId)).containsEntry("style_text", requested.getSpec().getStyleText());

    as("studio-8").get().uri("/api/v1/images/style-capsules").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$[?(@.id == 'noir')].styleText").value(texts -> assertThat(texts.toString()).contains("film noir"));
  }

  @Test
  void givenUnknownStyleCapsuleWhenPostedThenProblemNamesTheFieldAndNothingIsWritten() {
    long jobsBefore = count("jobs");

    as("studio-9").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY.replace("\"imageSize\":\"1K\"", "\"styleCapsuleId\":\"vaporwave\""))
        .exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.errors[0].field").isEqualTo("styleCapsuleId");

    assertThat(count("jobs")).isEqualTo(jobsBefore);
  }

  @Test
  void givenTheOriginalApiPathsThenTheyCreateAndReadJobsLikeTheVersionedOnes() {
    URI location = as("legacy-client").post().uri("/api/images/generate").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.status").isEqualTo("queued")
        .returnResult().getResponseHeaders().getLocation();
    assertThat(location.toString()).as("the canonical location").startsWith(JOBS + "/");
    String jobId = location.toString().substring(JOBS.length() + 1);

    as("legacy-client").get().uri("/api/images/jobs/" + jobId).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.jobId").isEqualTo(jobId);
    as("someone-else").get().uri("/api/images/jobs/" + jobId).exchange().expectStatus().isNotFound();
  }

  @Test
  void givenRunningGatewayThenHealthIsUpWithTheProjectionAndNeedsNoToken() {
    http.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.components.projection.status").isEqualTo("UP")
        .jsonPath("$.components.r2dbc.status").isEqualTo("UP");
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
             "imageSize":"8K","priority":"URGENT"}""",
            new String[] {"aspectRatio", "imageSize", "jobType", "priority"}),
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

    as("tenant-v").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(400)
        .jsonPath("$.title").isEqualTo("Invalid request")
        .jsonPath("$.instance").isEqualTo(JOBS)
        .jsonPath("$.errors[*].field").value(found -> assertThat(found).asList().containsExactly((Object[]) fields))
        .jsonPath("$.errors[0].message").isNotEmpty();

    assertThat(count("jobs")).isEqualTo(jobsBefore);
    assertThat(outboxIdsUsed()).isEqualTo(outboxIdsBefore);
  }

  @Test
  void givenMalformedJsonWhenPostedThenProblemAndNothingIsWritten() {
    long jobsBefore = count("jobs");

    as("tenant-v").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue("{\"jobType\":").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);

    assertThat(count("jobs")).isEqualTo(jobsBefore);
  }

  @Test
  void givenJobOfAnotherTenantWhenReadThenItDoesNotExist() {
    URI location = create("tenant-a", ASSET_KEY);

    as("tenant-b").get().uri(location.toString()).exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.status").isEqualTo(404);
    as("tenant-b").get().uri(location + "/image").exchange().expectStatus().isNotFound();
    as("tenant-a").get().uri(location.toString()).exchange().expectStatus().isOk();
  }

  @Test
  void givenUnknownOrMalformedJobIdWhenReadThenNotFoundOrBadRequest() {
    as("tenant-a").get().uri(JOBS + "/no-such-job").exchange().expectStatus().isNotFound();
    as("tenant-a").get().uri(JOBS + "/" + "x".repeat(65)).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("jobId");
  }

  @Test
  void givenCompletedJobWhenImageIsRequestedThenTheStoredBytesAreServedWithTheirEtag() throws Exception {
    URI location = create("tenant-a", ASSET_KEY);
    String jobId = jobIdOf(location);
    as("tenant-a").get().uri(location + "/image").exchange().expectStatus().isNotFound();

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

    await().atMost(PATIENCE).untilAsserted(() -> as("tenant-a").get().uri(location.toString()).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("completed"));
    as("tenant-a").get().uri(location.toString()).exchange()
        .expectBody()
        .jsonPath("$.image.url").isEqualTo(location + "/image")
        .jsonPath("$.image.sha256").isEqualTo(sha256)
        .jsonPath("$.image.storagePath").isEqualTo(storagePath)
        .jsonPath("$.image.sizeBytes").isEqualTo(png.length)
        .jsonPath("$.completedAt").isNotEmpty();

    as("tenant-a").get().uri(location + "/image").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(MediaType.IMAGE_PNG)
        .expectHeader().valueEquals(HttpHeaders.ETAG, "\"" + sha256 + "\"")
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "private")
        .expectHeader().doesNotExist(HttpHeaders.LOCATION)
        .expectBody(byte[].class).isEqualTo(png);
    as("tenant-a").get().uri(location + "/image").header(HttpHeaders.IF_NONE_MATCH, "\"" + sha256 + "\"").exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals(HttpHeaders.ETAG, "\"" + sha256 + "\"")
        .expectBody().isEmpty();
    as("tenant-a").get().uri(location + "/image").header(HttpHeaders.IF_NONE_MATCH, "\"" + "0".repeat(64) + "\"")
        .exchange()
        .expectStatus().isOk()
        .expectBody(byte[].class).isEqualTo(png);
    as("tenant-b").get().uri(location + "/image").exchange().expectStatus().isNotFound();
  }

  private URI create(String tenant, String body) {
    return as(tenant).post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
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
