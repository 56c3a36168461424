package dev.imagejobs.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A tenant whose queued jobs reach the limit gets 429 with Retry-After and nothing is written; the
 * count follows the read model (creations, the projection, jobs leaving the queue) and is per tenant.
 */
class BacklogLimitIT extends GatewayIntegrationTest {
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"bp1","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse at dusk","aspectRatio":"16:9"}""";

  @Test
  void givenATenantWithAFullBacklogThenCreationIsRefusedWithRetryAfterUntilAJobLeavesTheQueue() {
    List<LifecycleEvents> queued = new ArrayList<>();
    for (int i = 0; i < MAX_QUEUED_PER_TENANT - 1; i++) {
      LifecycleEvents job = LifecycleEvents.aJob("backlog-a");
      queued.add(job);
      publish(job.requested());
    }
    awaitProjectionCaughtUp();
    post("backlog-a").expectStatus().isAccepted();
    long jobsBefore = jobsOf("backlog-a");

    post("backlog-a")
        .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
        .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5")
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.title").isEqualTo("Too many queued jobs");
    assertThat(jobsOf("backlog-a")).as("nothing written").isEqualTo(jobsBefore);
    post("backlog-b").expectStatus().isAccepted();

    publish(queued.get(0).started());
    awaitProjectionCaughtUp();
    post("backlog-a").expectStatus().isAccepted();
  }

  private WebTestClient.ResponseSpec post(String tenant) {
    return as(tenant).post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(BODY)
        .exchange();
  }

  private long jobsOf(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }
}
