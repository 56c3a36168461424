package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.Tokens;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

class JobCommandsIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private final LifecycleCodec codec = new LifecycleCodec();

  @LocalServerPort
  private int port;

  @Test
  void givenFailedJobWhenRetriedThenItIsQueuedAgainAndTheEventCarriesTheSameSpecAndTheTrace() {
    String jobId = create("cmd-a");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "cmd-a");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    awaitStatus("cmd-a", jobId, "failed");
    String traceId = "0af7651916cd43dd8448eb211c80319c";

    as("cmd-a").post().uri(JOBS + "/" + jobId + "/retry")
        .header(CloudEventHeaders.TRACEPARENT, "00-" + traceId + "-b7ad6b7169203331-01")
        .exchange()
        .expectStatus().isAccepted()
        .expectHeader().location(JOBS + "/" + jobId)
        .expectBody()
        .jsonPath("$.status").isEqualTo("queued")
        .jsonPath("$.retryCount").isEqualTo(1)
        .jsonPath("$.errorMessage").isEmpty()
        .jsonPath("$.completedAt").isEmpty();

    JobRequested requested;
    JobRetryRequested retry;
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      ConsumerRecord<String, byte[]> record = lifecycle.await(r -> jobId.equals(r.key()) && is(r, "JobRetryRequested"));
      retry = codec.decode(record.value()).payload(JobRetryRequested.class);
      requested = codec.decode(lifecycle.await(r -> jobId.equals(r.key()) && is(r, "JobRequested")).value())
          .payload(JobRequested.class);
    }
    assertThat(retry.getRetryCount()).isEqualTo(1);
    assertThat(retry.getSpec()).as("the job's spec, style text and estimate included").isEqualTo(requested.getSpec());
    assertThat(retry.getSpec().getStyleText()).contains("film noir");
    assertThat(retry.getSpec().getPriority()).as("the start frame's default, kept").isEqualTo(JobPriority.HIGH);
    assertThat(retry.getMetadata().getTenantId()).isEqualTo("cmd-a");
    assertThat(Traceparent.traceId(retry.getMetadata().getTraceparent())).contains(traceId);
    assertThat(history(jobId)).extracting(row -> row.get("event_type"))
        .containsExactly("JobRequested", "JobStarted", "JobFailed", "JobRetryRequested");

    as("cmd-a").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isEqualTo(409)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.jobStatus").isEqualTo("queued")
        .jsonPath("$.title").isEqualTo("Job state conflict");
  }

  @Test
  void givenFailedJobWhenRetriedConcurrentlyThenExactlyOneRetryHappens() {
    String jobId = create("cmd-b");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "cmd-b");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    awaitStatus("cmd-b", jobId, "failed");
    WebClient client = WebClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeader(HttpHeaders.AUTHORIZATION, Tokens.bearer("cmd-b")).build();

    List<Integer> statuses = Flux.range(0, 6)
        .flatMap(i -> client.post().uri(JOBS + "/" + jobId + "/retry")
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())), 6)
        .collectList()
        .block(PATIENCE);

    assertThat(statuses).containsOnly(202, 409).filteredOn(status -> status == 202).hasSize(1);
    assertThat(history(jobId)).extracting(row -> row.get("event_type")).containsOnlyOnce("JobRetryRequested");
  }

  @Test
  void givenJobThatDidNotFailWhenRetriedThenConflictAndNothingIsWritten() {
    String jobId = create("cmd-c");
    awaitOutboxDrained();

    as("cmd-c").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.jobStatus").isEqualTo("queued");

    assertThat(history(jobId)).hasSize(1);
    assertThat(jdbc().queryForObject("SELECT count(*) FROM outbox WHERE job_id = ?", Long.class, jobId)).isZero();
  }

  @Test
  void givenRunningJobWhenCanceledThenTheRequestIsSentOnceAndJobCanceledEndsIt() {
    String jobId = create("cmd-d");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "cmd-d");
    awaitOutboxDrained();
    publish(job.started());
    awaitStatus("cmd-d", jobId, "processing");

    as("cmd-d").post().uri(JOBS + "/" + jobId + "/cancel").exchange()
        .expectStatus().isAccepted()
        .expectBody()
        .jsonPath("$.status").isEqualTo("processing")
        .jsonPath("$.cancelRequested").isEqualTo(true);
    // Asking again is fine and changes nothing.
    as("cmd-d").post().uri(JOBS + "/" + jobId + "/cancel").exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.cancelRequested").isEqualTo(true);

    JobCancelRequested cancel;
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      cancel = codec.decode(lifecycle.await(r -> jobId.equals(r.key()) && is(r, "JobCancelRequested")).value())
          .payload(JobCancelRequested.class);
    }
    assertThat(cancel.getMetadata().getTenantId()).isEqualTo("cmd-d");
    assertThat(history(jobId)).extracting(row -> row.get("event_type")).containsOnlyOnce("JobCancelRequested");

    // The service holding the job answers.
    publish(job.canceled("processing"));
    awaitStatus("cmd-d", jobId, "canceled");
    as("cmd-d").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody()
        .jsonPath("$.cancelRequested").isEqualTo(true)
        .jsonPath("$.completedAt").isNotEmpty();

    as("cmd-d").post().uri(JOBS + "/" + jobId + "/cancel").exchange()
        .expectStatus().isEqualTo(409)
        .expectBody().jsonPath("$.jobStatus").isEqualTo("canceled");
  }

  @Test
  void givenAnotherTenantsJobThenRetryAndCancelAreNotFound() {
    String jobId = create("cmd-e");

    as("cmd-intruder").post().uri(JOBS + "/" + jobId + "/retry").exchange().expectStatus().isNotFound();
    as("cmd-intruder").post().uri(JOBS + "/" + jobId + "/cancel").exchange().expectStatus().isNotFound();
    as("cmd-e").post().uri(JOBS + "/no-such-job/cancel").exchange().expectStatus().isNotFound();
    assertThat(history(jobId)).hasSize(1);
  }

  private String create(String tenant) {
    String location = as(tenant).post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"START_FRAME","projectId":"p1","branchId":"main","sceneId":"s1","shotId":"sh1",
             "prompt":"Fog over the harbour","styleCapsuleId":"noir","aspectRatio":"16:9","imageSize":"2K"}""")
        .exchange()
        .expectStatus().isAccepted()
        .returnResult(String.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private void awaitStatus(String tenant, String jobId, String status) {
    await().atMost(PATIENCE).untilAsserted(() -> as(tenant).get().uri(JOBS + "/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo(status));
  }

  private static boolean is(ConsumerRecord<String, byte[]> record, String type) {
    return CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE)
        .filter(ceType -> ceType.endsWith("." + type))
        .isPresent();
  }
}
