package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;

/**
 * Job priorities through the API: named in the request or the job type's default from the
 * settings (the shared test configuration makes start frames {@code high}), stored, shown, written
 * into the events' specs and kept by a retry.
 */
class JobPrioritiesIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final ParameterizedTypeReference<ServerSentEvent<JobView>> EVENTS =
      new ParameterizedTypeReference<>() {};
  private static final String ASSET_KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper with a red scarf","aspectRatio":"16:9"%s}""";
  private static final String START_FRAME = """
      {"jobType":"START_FRAME","projectId":"p1","branchId":"main","sceneId":"s1","shotId":"sh1",
       "prompt":"Dawn over the harbour","aspectRatio":"21:9"%s}""";
  private static final String END_FRAME = """
      {"jobType":"END_FRAME","projectId":"p1","branchId":"main","sceneId":"s1","shotId":"sh1",
       "prompt":"The door closes","aspectRatio":"21:9"%s}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenAPriorityInTheRequestThenItIsStoredShownStreamedListedAndWrittenIntoTheSpec() {
    String jobId = create("prio-a", END_FRAME.formatted(",\"priority\":\"high\""), "high");

    as("prio-a").get().uri(JOBS + "/" + jobId).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.priority").isEqualTo("high");
    assertThat(jobRow(jobId)).containsEntry("priority", "high");
    assertThat(requested(jobId).getSpec().getPriority()).isEqualTo(JobPriority.HIGH);
    ServerSentEvent<JobView> first = as("prio-a").get().uri(JOBS + "/" + jobId + "/events")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk()
        .returnResult(EVENTS).getResponseBody()
        .filter(event -> event.event() != null)
        .blockFirst(PATIENCE);
    assertThat(first.event()).isEqualTo("JobRequested");
    assertThat(first.data().priority()).isEqualTo("high");
    as("prio-a").get().uri(JOBS + "?priority=high").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.items[0].jobId").isEqualTo(jobId)
        .jsonPath("$.items[0].priority").isEqualTo("high");
  }

  @Test
  void givenNoPriorityInTheRequestThenTheJobTypesDefaultFromTheSettingsApplies() {
    String startFrame = create("prio-b", START_FRAME.formatted(""), "high");
    String assetKey = create("prio-b", ASSET_KEY.formatted(""), "normal");
    String endFrame = create("prio-b", END_FRAME.formatted(""), "normal");
    String namedLow = create("prio-b", START_FRAME.formatted(",\"priority\":\"low\""), "low");

    assertThat(requested(startFrame).getSpec().getPriority()).as("the configured start-frame default")
        .isEqualTo(JobPriority.HIGH);
    assertThat(requested(assetKey).getSpec().getPriority()).isEqualTo(JobPriority.NORMAL);
    assertThat(requested(endFrame).getSpec().getPriority()).isEqualTo(JobPriority.NORMAL);
    assertThat(requested(namedLow).getSpec().getPriority()).as("a named priority wins over the default")
        .isEqualTo(JobPriority.LOW);
    assertThat(List.of(startFrame, assetKey, endFrame, namedLow)).extracting(id -> jobRow(id).get("priority"))
        .containsExactly("high", "normal", "normal", "low");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"urgent\"", "\"HIGH\"", "\"\"", "\" low\""})
  void givenAnUnknownPriorityThenProblemNamesTheFieldAndNothingIsWritten(String value) {
    as("prio-c").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY.formatted(",\"priority\":" + value))
        .exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.title").isEqualTo("Invalid request")
        .jsonPath("$.errors[*].field").value(fields -> assertThat(fields).asList().containsExactly("priority"))
        .jsonPath("$.errors[0].message").isEqualTo("must be one of high, normal, low");

    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'prio-c'", Long.class)).isZero();
    String unquoted = value.substring(1, value.length() - 1);
    as("prio-c").get().uri(builder -> builder.path(JOBS).queryParam("priority", unquoted).build()).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("priority");
  }

  @Test
  void givenAFailedJobWhenRetriedThenTheNewRunKeepsItsPriority() {
    String jobId = create("prio-d", START_FRAME.formatted(",\"priority\":\"low\""), "low");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "prio-d");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    await().atMost(PATIENCE).untilAsserted(() -> as("prio-d").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("failed"));

    as("prio-d").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isAccepted()
        .expectBody()
        .jsonPath("$.retryCount").isEqualTo(1)
        .jsonPath("$.priority").isEqualTo("low");

    JobSpec retried;
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      retried = codec.decode(lifecycle.await(r -> jobId.equals(r.key()) && is(r, "JobRetryRequested")).value())
          .payload(JobRetryRequested.class).getSpec();
    }
    assertThat(retried.getPriority()).as("not the start frame's default").isEqualTo(JobPriority.LOW);
    awaitProjectionCaughtUp();
    assertThat(jobRow(jobId)).containsEntry("priority", "low").containsEntry("status", "queued");
  }

  @Test
  void givenJobsOfEveryPriorityThenTheListFiltersByPriorityAlongsideTheOtherFilters() {
    String high = create("prio-e", START_FRAME.formatted(""), "high");
    String normal = create("prio-e", ASSET_KEY.formatted(""), "normal");
    String lowFrame = create("prio-e", END_FRAME.formatted(",\"priority\":\"low\""), "low");
    String lowAsset = create("prio-e", ASSET_KEY.formatted(",\"priority\":\"low\""), "low");

    assertThat(ids("prio-e", "?priority=high")).containsExactly(high);
    assertThat(ids("prio-e", "?priority=normal")).containsExactly(normal);
    assertThat(ids("prio-e", "?priority=low")).containsExactlyInAnyOrder(lowAsset, lowFrame);
    assertThat(ids("prio-e", "?priority=low&jobType=END_FRAME&status=queued&projectId=p1")).containsExactly(lowFrame);
    assertThat(ids("prio-e", "")).containsExactlyInAnyOrder(high, normal, lowFrame, lowAsset);
  }

  /** Creates a job; checks the 202 shows {@code priority}; returns the job's id. */
  private String create(String tenant, String body, String priority) {
    String location = as(tenant).post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.priority").isEqualTo(priority)
        .returnResult().getResponseHeaders().getLocation().toString();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key()) && is(r, "JobRequested")).value())
          .payload(JobRequested.class);
    }
  }

  @SuppressWarnings("unchecked")
  private List<String> ids(String tenant, String query) {
    Map<String, Object> page = as(tenant).get().uri(JOBS + query).exchange()
        .expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
    return ((List<Map<String, Object>>) page.get("items")).stream().map(item -> (String) item.get("jobId")).toList();
  }

  private static boolean is(ConsumerRecord<String, byte[]> record, String type) {
    return CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE)
        .filter(ceType -> ceType.endsWith("." + type))
        .isPresent();
  }
}
