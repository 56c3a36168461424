package dev.imagejobs.gateway.stats;

import static dev.imagejobs.gateway.testing.LifecycleEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Instant;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class StatsIT extends GatewayIntegrationTest {
  private static final Offset<Double> EXACT = Offset.offset(1e-9);

  @Test
  void givenJobsWithKnownOutcomesThenSharesCompletionTimesAndCostsAreComputedForTheTenantOnly() {
    for (int seconds : new int[] {5, 10, 20, 40}) {
      completedAfter("stats-a", "sp1", seconds);
    }
    failedFrame("stats-a", "sp2");
    queuedFrame("stats-a", "sp1", T0);
    queuedFrame("stats-a", "sp1", T0.minusSeconds(86_400 * 2));
    completedAfter("stats-other", "sp1", 1);
    awaitProjectionCaughtUp();

    as("stats-a").get().uri("/api/v1/images/stats?since=2026-11-24T09:00:00Z").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.since").isEqualTo("2026-11-24T09:00:00Z")
        .jsonPath("$.totalJobs").isEqualTo(6)
        .jsonPath("$.byStatus[0].status").isEqualTo("completed")
        .jsonPath("$.byStatus[0].jobs").isEqualTo(4)
        .jsonPath("$.byStatus[0].share").value(share -> assertThat(number(share)).isCloseTo(4 / 6d, EXACT))
        .jsonPath("$.byStatus[1].status").isEqualTo("failed")
        .jsonPath("$.byStatus[1].jobs").isEqualTo(1)
        .jsonPath("$.byStatus[2].status").isEqualTo("queued")
        .jsonPath("$.byStatus[2].share").value(share -> assertThat(number(share)).isCloseTo(1 / 6d, EXACT))
        .jsonPath("$.completion.completedJobs").isEqualTo(4)
        .jsonPath("$.completion.averageSeconds").isEqualTo(18.75)
        // Interpolated: 20 + 0.85 * (40 - 20).
        .jsonPath("$.completion.p95Seconds").value(p95 -> assertThat(number(p95)).isCloseTo(37.0, EXACT))
        .jsonPath("$.costByJobType[0].jobType").isEqualTo("ASSET_IMAGE_KEY")
        .jsonPath("$.costByJobType[0].jobs").isEqualTo(4)
        .jsonPath("$.costByJobType[0].estimatedCostMicros").isEqualTo(4000)
        .jsonPath("$.costByJobType[0].actualCostMicros").isEqualTo(2000)
        .jsonPath("$.costByJobType[1].jobType").isEqualTo("END_FRAME")
        .jsonPath("$.costByJobType[1].jobs").isEqualTo(2)
        .jsonPath("$.costByJobType[1].estimatedCostMicros").isEqualTo(4000)
        .jsonPath("$.costByJobType[1].actualCostMicros").isEqualTo(0);

    as("stats-a").get().uri("/api/v1/images/stats?since=2026-11-24T09:00:00Z&projectId=sp2").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.projectId").isEqualTo("sp2")
        .jsonPath("$.totalJobs").isEqualTo(1)
        .jsonPath("$.completion.completedJobs").isEqualTo(0)
        .jsonPath("$.completion.averageSeconds").isEmpty();
  }

  @Test
  void givenUnusableSinceOrProjectThenProblemNamesThem() {
    as("stats-b").get().uri("/api/v1/images/stats?since=yesterday&projectId=a/b").exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.errors[0].field").isEqualTo("projectId")
        .jsonPath("$.errors[1].field").isEqualTo("since");
  }

  @Test
  void givenNoSinceThenTheLastDayIsCounted() {
    as("stats-c").get().uri("/api/v1/images/stats").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.totalJobs").isEqualTo(0)
        .jsonPath("$.byStatus").isEmpty()
        .jsonPath("$.since").value(since ->
            assertThat(Instant.parse((String) since)).isBetween(Instant.now().minusSeconds(86_460),
                Instant.now().minusSeconds(86_340)));
  }

  private void completedAfter(String tenant, String project, int seconds) {
    LifecycleEvents job = LifecycleEvents.aJob(tenant);
    JobSpec spec = Events.anAssetKeySpec().setProjectId(project).setEstimatedCostMicros(1000).build();
    publish(job.requested(spec), job.started(), job.generationStarted(1), job.imageGenerated(500), job.uploadStarted());
    String path = "project_" + project + "/branch_main/master-assets/hero_" + job.jobId() + ".png";
    JobCompleted completed = job.completed(path, "cd".repeat(32), 100);
    completed.getMetadata().setOccurredAt(T0.plusSeconds(seconds));
    publish(completed);
  }

  private void failedFrame(String tenant, String project) {
    LifecycleEvents job = LifecycleEvents.aJob(tenant);
    publish(job.requested(frameSpec(project)), job.started(), job.failed("processing", "PERMANENT", "refused"));
  }

  private void queuedFrame(String tenant, String project, Instant createdAt) {
    JobRequested requested = LifecycleEvents.aJob(tenant).requested(frameSpec(project));
    requested.getMetadata().setOccurredAt(createdAt);
    publish(requested);
  }

  /** JSON numbers come back as whatever type fits them. */
  private static double number(Object value) {
    return ((Number) value).doubleValue();
  }

  private static JobSpec frameSpec(String project) {
    return Events.anAssetKeySpec().setProjectId(project).setJobType(JobType.END_FRAME)
        .setAssetId(null).setSceneId("s1").setShotId("sh1").setEstimatedCostMicros(2000).build();
  }
}
