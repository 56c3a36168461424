package dev.imagejobs.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TestPostgres;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.Topics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

class ProjectionResilienceIT extends GatewayIntegrationTest {

  @Autowired
  private ReadModelProjector projector;

  @Autowired
  private ProjectionStats stats;

  @Test
  void givenPostgresDownWhenEventsArriveThenTheProjectionRetriesAndAppliesThemOnceItIsBack() {
    LifecycleEvents job = LifecycleEvents.aJob("tenant-a");
    publish(job.requested());
    awaitProjectionCaughtUp();
    long failuresBefore = stats.failedBatches.get();

    TestPostgres.stop();
    try {
      publish(job.started(), job.generationStarted(1));
      await().atMost(PATIENCE).until(() -> stats.failedBatches.get() >= failuresBefore + 2);
      assertThat(projector.isRunning()).isTrue();
    } finally {
      TestPostgres.start();
    }
    awaitProjectionCaughtUp();

    assertThat(jobRow(job.jobId())).containsEntry("status", "generating").containsEntry("last_event_seq", 3);
    assertThat(history(job.jobId())).extracting(e -> e.get("event_type"))
        .containsExactly("JobRequested", "JobStarted", "GenerationStarted");
  }

  @Test
  void givenPostgresDownWhenAJobIsPostedThenItIsRefusedAs503AndCreationWorksAgainOnceItIsBack() {
    String body = """
        {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
         "prompt":"A red scarf","aspectRatio":"1:1"}""";
    TestPostgres.stop();
    try {
      as("tenant-outage").post().uri("/api/v1/images/jobs")
          .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
          .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
          .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().exists(HttpHeaders.RETRY_AFTER);
      http.get().uri("/actuator/health/readiness").exchange()
          .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
          .expectBody().jsonPath("$.status").isEqualTo("DOWN");
      http.get().uri("/actuator/health/liveness").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.status").isEqualTo("UP");
    } finally {
      TestPostgres.start();
    }
    await().atMost(PATIENCE).until(() -> http.get().uri("/actuator/health/readiness").exchange()
        .returnResult(String.class).getStatus(), HttpStatus.OK::equals);

    String location = await().atMost(PATIENCE).until(() -> as("tenant-outage").post().uri("/api/v1/images/jobs")
        .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .returnResult(String.class).getResponseHeaders().getFirst("Location"), value -> value != null);

    String jobId = location.substring(location.lastIndexOf('/') + 1);
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      lifecycle.await(record -> jobId.equals(record.key()));
    }
    awaitOutboxDrained();
  }
}
