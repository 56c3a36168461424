package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Batches through the API: all or none in one transaction, each job admitted and budgeted as one,
 * one idempotency key, the batch's id in every job's events and row, the batch view and its event
 * stream, which ends when every job has ended.
 */
class BatchesIT extends GatewayIntegrationTest {
  private static final String BATCHES = "/api/v1/images/batches";
  private static final ParameterizedTypeReference<ServerSentEvent<JobView>> EVENTS =
      new ParameterizedTypeReference<>() {};
  private static final String ASSET_KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero",
       "prompt":"%s","aspectRatio":"16:9"}""";
  private static final String START_FRAME = """
      {"jobType":"START_FRAME","projectId":"%s","branchId":"main","sceneId":"s1","shotId":"sh1",
       "prompt":"%s","aspectRatio":"21:9","imageSize":"2K","priority":"low"}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenABatchThenEveryJobIsQueuedInOrderWithTheBatchsIdInItsEventsRowAndView() {
    String body = batch(ASSET_KEY.formatted("p1", "The keeper"), START_FRAME.formatted("p1", "Dawn"),
        ASSET_KEY.formatted("p2", "The lamp"));

    Map<String, Object> created = create("batch-a", body);

    String batchId = (String) created.get("batchId");
    List<Map<String, Object>> jobs = jobsOf(created);
    assertThat(jobs).extracting(job -> job.get("prompt")).containsExactly("The keeper", "Dawn", "The lamp");
    assertThat(jobs).extracting(job -> job.get("batchId")).containsOnly(batchId);
    assertThat(jobs).extracting(job -> job.get("status")).containsOnly("queued");
    assertThat(jobs.get(1)).containsEntry("priority", "low").containsEntry("estimatedCostMicros", 3000);
    List<String> jobIds = jobs.stream().map(job -> (String) job.get("jobId")).toList();
    for (String jobId : jobIds) {
      assertThat(jobRow(jobId)).containsEntry("batch_id", batchId).containsEntry("tenant_id", "batch-a");
      assertThat(requested(jobId).getSpec().getBatchId()).isEqualTo(batchId);
    }
    as("batch-a").get().uri("/api/v1/images/jobs/" + jobIds.get(2)).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.batchId").isEqualTo(batchId).jsonPath("$.projectId").isEqualTo("p2");

    as("batch-a").get().uri(BATCHES + "/" + batchId).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.batchId").isEqualTo(batchId)
        .jsonPath("$.jobCount").isEqualTo(3)
        .jsonPath("$.jobsByStatus.queued").isEqualTo(3)
        .jsonPath("$.jobsByStatus.completed").isEqualTo(0)
        .jsonPath("$.ended").isEqualTo(false)
        .jsonPath("$.estimatedCostMicros").isEqualTo(1500 + 3000 + 1500)
        .jsonPath("$.actualCostMicros").isEqualTo(0)
        .jsonPath("$.jobs[*].jobId").value(ids -> assertThat(ids).asList().containsExactlyElementsOf(jobIds));
    as("batch-other").get().uri(BATCHES + "/" + batchId).exchange().expectStatus().isNotFound();
    as("batch-other").get().uri(BATCHES + "/" + batchId + "/events").exchange().expectStatus().isNotFound();
  }

  @Test
  void givenAnInvalidJobThenTheProblemNamesItByIndexAndNoJobIsCreated() {
    as("batch-b").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(batch(ASSET_KEY.formatted("p1", "fine"), ASSET_KEY.formatted("p1", "fine"),
            ASSET_KEY.formatted("p1", "")))
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[*].field").value(fields -> assertThat(fields).asList()
            .containsExactly("jobs[2].prompt"));
    as("batch-b").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(batch(ASSET_KEY.formatted("p1", "fine"), ASSET_KEY.formatted("p1", "fine")
            .replace("\"assetId\"", "\"styleCapsuleId\":\"no-such-capsule\",\"assetId\"")))
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("jobs[1].styleCapsuleId");
    as("batch-b").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).bodyValue("{\"jobs\":[]}")
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("jobs")
        .jsonPath("$.errors[0].message").isEqualTo("must hold 1 to 100 jobs");
    String tooMany = batch(Collections.nCopies(101, ASSET_KEY.formatted("p1", "one of many")).toArray(String[]::new));
    as("batch-b").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).bodyValue(tooMany)
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("jobs");

    assertThat(jobsOfTenant("batch-b")).isZero();
  }

  @Test
  void givenAJobOverTheProjectsBudgetThenTheBatchIsRefusedWholeAndNothingIsReserved() {
    as("batch-c").put().uri("/api/v1/images/budgets/p1").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":0.004,\"monthlyReset\":false}").exchange().expectStatus().isOk();

    as("batch-c").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(batch(ASSET_KEY.formatted("p1", "one"), ASSET_KEY.formatted("p2", "elsewhere"),
            ASSET_KEY.formatted("p1", "two"), ASSET_KEY.formatted("p1", "three")))
        .exchange()
        .expectStatus().isEqualTo(402)
        .expectBody()
        .jsonPath("$.title").isEqualTo("Budget exceeded")
        .jsonPath("$.jobIndex").isEqualTo(3)
        .jsonPath("$.detail").value(detail -> assertThat((String) detail).startsWith("jobs[3]: ")
            .contains("0.003 USD reserved").endsWith("no job of the batch was created"));

    assertThat(jobsOfTenant("batch-c")).isZero();
    as("batch-c").get().uri("/api/v1/images/budgets/p1").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.reservedUsd").isEqualTo(0);
    create("batch-c", batch(ASSET_KEY.formatted("p1", "one"), ASSET_KEY.formatted("p1", "two")));
    as("batch-c").get().uri("/api/v1/images/budgets/p1").exchange()
        .expectBody().jsonPath("$.reservedUsd").isEqualTo(0.003);
  }

  @Test
  void givenABacklogWithRoomForFewerJobsThanTheBatchThenItIsRefusedWholeWithRetryAfter() {
    // Queued jobs the tenant does not have, taken away again at the end: a rebuilt read model must match.
    int phantom = MAX_QUEUED_PER_TENANT - 2;
    jdbc().update("INSERT INTO tenant_backlog (tenant_id, shard, queued) VALUES ('batch-d', 3, ?)", phantom);
    try {
      as("batch-d").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
          .bodyValue(batch(ASSET_KEY.formatted("p1", "a"), ASSET_KEY.formatted("p1", "b"),
              ASSET_KEY.formatted("p1", "c")))
          .exchange()
          .expectStatus().isEqualTo(429)
          .expectHeader().exists("Retry-After")
          .expectBody().jsonPath("$.jobIndex").isEqualTo(2);

      assertThat(jobsOfTenant("batch-d")).isZero();
      create("batch-d", batch(ASSET_KEY.formatted("p1", "a"), ASSET_KEY.formatted("p1", "b")));
    } finally {
      jdbc().update("UPDATE tenant_backlog SET queued = queued - ? WHERE tenant_id = 'batch-d' AND shard = 3", phantom);
    }
  }

  @Test
  void givenMoreJobsThanTheTenantMayCreateAtOnceThenTheBatchIsUnprocessable() {
    // 100 jobs with the longest prompts: the route reads a body of that size (the limit of other routes is 64 KB).
    String prompt = "x".repeat(CreateJobRequest.MAX_PROMPT_LENGTH);
    String hundred = batch(Collections.nCopies(100, ASSET_KEY.formatted("p1", prompt)).toArray(String[]::new));
    assertThat(hundred.length()).isGreaterThan(400_000);

    as("batch-e").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).bodyValue(hundred)
        .exchange()
        .expectStatus().isEqualTo(422)
        .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail)
            .contains("100 jobs", "(" + RATE_LIMIT_BURST + ", imagejobs.rate-limit.burst)"));
    as("batch-e").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"jobs\":[\"" + "x".repeat(3 * 1024 * 1024) + "\"]}")
        .exchange()
        .expectStatus().isEqualTo(413);
    as("batch-e").post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY.formatted("p1", prompt) + " ".repeat(64 * 1024))
        .exchange()
        .expectStatus().isEqualTo(413);

    assertThat(jobsOfTenant("batch-e")).isZero();
  }

  @Test
  void givenAnIdempotencyKeyThenTheSameBatchIsAnsweredAgainAndAnotherBodyIsRefused() {
    String body = batch(ASSET_KEY.formatted("p1", "a"), ASSET_KEY.formatted("p1", "b"));
    Map<String, Object> first = as("batch-f").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .header("Idempotency-Key", "batch-key-1").bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectHeader().doesNotExist(JobsController.IDEMPOTENT_REPLAYED)
        .expectBody(Map.class).returnResult().getResponseBody();

    as("batch-f").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .header("Idempotency-Key", "batch-key-1").bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectHeader().valueEquals(JobsController.IDEMPOTENT_REPLAYED, "true")
        .expectHeader().location(BATCHES + "/" + first.get("batchId"))
        .expectBody(Map.class).isEqualTo(first);
    as("batch-f").post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .header("Idempotency-Key", "batch-key-1").bodyValue(batch(ASSET_KEY.formatted("p1", "a")))
        .exchange()
        .expectStatus().isEqualTo(422);

    assertThat(jobsOfTenant("batch-f")).isEqualTo(2);
  }

  @Test
  void givenABatchStreamThenItSendsEveryJobsEventsInOrderEndsWhenAllEndedAndResumesWithoutGaps() {
    Map<String, Object> created = create("batch-g", batch(ASSET_KEY.formatted("p1", "a"), ASSET_KEY.formatted("p1", "b")));
    String batchId = (String) created.get("batchId");
    List<String> jobIds = jobsOf(created).stream().map(job -> (String) job.get("jobId")).toList();
    LifecycleEvents a = LifecycleEvents.forJob(jobIds.get(0), "batch-g");
    LifecycleEvents b = LifecycleEvents.forJob(jobIds.get(1), "batch-g");
    awaitOutboxDrained();
    List<ServerSentEvent<JobView>> all = new ArrayList<>();

    StepVerifier.create(follow("batch-g", batchId, null).doOnNext(all::add))
        .expectNextCount(2)
        .then(() -> publish(a.started(), a.failed("processing", "PERMANENT", "refused")))
        .expectNextCount(2)
        .then(() -> publish(b.started()))
        .expectNextCount(1)
        .then(() -> publish(b.cancelRequested(), b.canceled("processing")))
        .expectNextCount(2)
        .expectComplete()
        .verify(PATIENCE);

    Map<String, List<String>> byJob = all.stream().collect(Collectors.groupingBy(event -> event.data().jobId(),
        Collectors.mapping(ServerSentEvent::event, Collectors.toList())));
    assertThat(byJob.get(jobIds.get(0))).containsExactly("JobRequested", "JobStarted", "JobFailed");
    assertThat(byJob.get(jobIds.get(1)))
        .containsExactly("JobRequested", "JobStarted", "JobCancelRequested", "JobCanceled");
    List<EventPosition> ids = all.stream().map(event -> EventPosition.parse(event.id()).orElseThrow()).toList();
    assertThat(ids).isSortedAccordingTo(EventPosition::compareTo).doesNotHaveDuplicates();

    List<ServerSentEvent<JobView>> resumed = follow("batch-g", batchId, all.get(3).id()).collectList().block(PATIENCE);
    assertThat(resumed).extracting(ServerSentEvent::id)
        .containsExactlyElementsOf(IntStream.range(4, all.size()).mapToObj(i -> all.get(i).id()).toList());
    request("batch-g", batchId, all.get(all.size() - 1).id()).exchange().expectStatus().isNoContent();
    as("batch-g").get().uri(BATCHES + "/" + batchId).exchange()
        .expectBody()
        .jsonPath("$.ended").isEqualTo(true)
        .jsonPath("$.jobsByStatus.failed").isEqualTo(1)
        .jsonPath("$.jobsByStatus.canceled").isEqualTo(1);

    // A retry takes the batch's job back in, with its batch.
    as("batch-g").post().uri("/api/v1/images/jobs/" + jobIds.get(0) + "/retry").exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.batchId").isEqualTo(batchId);
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      JobRetryRequested retry = codec.decode(lifecycle.await(r -> jobIds.get(0).equals(r.key())
              && codec.decode(r.value()).payload() instanceof JobRetryRequested).value())
          .payload(JobRetryRequested.class);
      assertThat(retry.getSpec().getBatchId()).isEqualTo(batchId);
    }
    StepVerifier.create(follow("batch-g", batchId, all.get(all.size() - 1).id()))
        .assertNext(event -> assertThat(event.event()).isEqualTo("JobRetryRequested"))
        .thenCancel()
        .verify(PATIENCE);
  }

  private Map<String, Object> create(String tenant, String body) {
    @SuppressWarnings("unchecked")
    Map<String, Object> created = as(tenant).post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody(Map.class).returnResult().getResponseBody();
    return created;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> jobsOf(Map<String, Object> batch) {
    return (List<Map<String, Object>>) batch.get("jobs");
  }

  private static String batch(String... jobs) {
    return "{\"jobs\":[" + String.join(",", jobs) + "]}";
  }

  private long jobsOfTenant(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
  }

  private WebTestClient.RequestHeadersSpec<?> request(String tenant, String batchId, String lastEventId) {
    var request = as(tenant).get().uri(BATCHES + "/" + batchId + "/events").accept(MediaType.TEXT_EVENT_STREAM);
    return lastEventId == null ? request : request.header("Last-Event-ID", lastEventId);
  }

  /** The stream's events without comments, delivered off the HTTP client's threads so steps may block. */
  private Flux<ServerSentEvent<JobView>> follow(String tenant, String batchId, String lastEventId) {
    return Flux.defer(() -> request(tenant, batchId, lastEventId).exchange().expectStatus().isOk()
        .returnResult(EVENTS).getResponseBody()
        .filter(event -> event.event() != null)
        .publishOn(Schedulers.boundedElastic()));
  }
}
