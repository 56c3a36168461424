package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/** {@code Prefer: wait} on reading and creating a job (RFC 7240). */
class PreferWaitIT extends GatewayIntegrationTest {
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse keeper","aspectRatio":"1:1"}""";

  @Autowired
  private JobEnds ends;

  @Test
  void givenARunningJobWhenReadWithPreferWaitThenTheAnswerComesOnceItEndsWith200AndPreferenceApplied() {
    String jobId = create("wait-a", null).getResponseHeaders().getLocation().getPath().replaceAll(".*/", "");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "wait-a");
    awaitOutboxDrained();
    int waitingBefore = ends.waiting();

    CompletableFuture<EntityExchangeResult<JobView>> answer = CompletableFuture.supplyAsync(() -> as("wait-a").get()
        .uri("/api/v1/images/jobs/" + jobId).header("Prefer", "wait=25")
        .exchange().expectBody(JobView.class).returnResult());
    await().atMost(PATIENCE).until(() -> ends.waiting() > waitingBefore);
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));

    EntityExchangeResult<JobView> ended = answer.join();
    assertThat(ended.getStatus().value()).isEqualTo(200);
    assertThat(ended.getResponseHeaders().getFirst("Preference-Applied")).isEqualTo("wait=25");
    assertThat(ended.getResponseBody().status()).isEqualTo("failed");
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(ends.waiting()).isEqualTo(waitingBefore));
  }

  @Test
  void givenAJobThatDoesNotEndWithinTheWaitThenTheAnswerIs202WithTheJobAsItIs() {
    String jobId = create("wait-b", null).getResponseHeaders().getLocation().getPath().replaceAll(".*/", "");

    as("wait-b").get().uri("/api/v1/images/jobs/" + jobId).header("Prefer", "wait=1").exchange()
        .expectStatus().isAccepted()
        .expectHeader().valueEquals("Preference-Applied", "wait=1")
        .expectBody().jsonPath("$.status").isEqualTo("queued");
  }

  @Test
  void givenAnEndedJobThenAWaitLongerThanTheCapIsCappedAndAnsweredAtOnce() {
    String jobId = create("wait-c", null).getResponseHeaders().getLocation().getPath().replaceAll(".*/", "");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "wait-c");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    awaitProjectionCaughtUp();

    as("wait-c").get().uri("/api/v1/images/jobs/" + jobId).header("Prefer", "wait=100000").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("Preference-Applied", "wait=60");
    as("wait-c").get().uri("/api/v1/images/jobs/" + jobId).exchange()
        .expectStatus().isOk()
        .expectHeader().doesNotExist("Preference-Applied");
  }

  @Test
  void givenACreationThatPrefersToWaitThenItIs202WithPreferenceAppliedWhileTheJobRuns() {
    EntityExchangeResult<String> created = create("wait-d", "wait=1");

    assertThat(created.getStatus().value()).isEqualTo(202);
    assertThat(created.getResponseHeaders().getFirst("Preference-Applied")).isEqualTo("wait=1");
    assertThat(created.getResponseHeaders().getLocation()).isNotNull();
    assertThat(created.getResponseBody()).contains("\"status\":\"queued\"");
  }

  @Test
  void givenACreationThatPrefersToWaitWhenTheJobEndsMeanwhileThenItIs201WithTheEndedJob() {
    int waitingBefore = ends.waiting();
    CompletableFuture<EntityExchangeResult<String>> answer =
        CompletableFuture.supplyAsync(() -> create("wait-e", "wait=25"));
    await().atMost(PATIENCE).until(() -> ends.waiting() > waitingBefore);
    String jobId = jdbc().queryForObject("SELECT job_id FROM jobs WHERE tenant_id = 'wait-e'", String.class);
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "wait-e");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));

    EntityExchangeResult<String> created = answer.join();
    assertThat(created.getStatus().value()).isEqualTo(201);
    assertThat(created.getResponseHeaders().getFirst("Preference-Applied")).isEqualTo("wait=25");
    assertThat(created.getResponseHeaders().get(HttpHeaders.LOCATION)).containsExactly("/api/v1/images/jobs/" + jobId);
    assertThat(created.getResponseBody()).contains("\"status\":\"failed\"");
  }

  private EntityExchangeResult<String> create(String tenant, String prefer) {
    var request = as(tenant).post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON);
    if (prefer != null) {
      request = request.header("Prefer", prefer);
    }
    return request.bodyValue(BODY).exchange().expectBody(String.class).returnResult();
  }
}
