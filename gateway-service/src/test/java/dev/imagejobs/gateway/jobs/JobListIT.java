package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class JobListIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final Instant BASE = Instant.parse("2026-10-01T08:00:00Z");

  @Test
  void givenManyJobsWhenPagedThenEveryJobComesOnceNewestFirstAndNewJobsDoNotShiftLaterPages() {
    List<String> newestFirst = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      newestFirst.add(0, seed("list-a", "lp1", JobType.ASSET_IMAGE_KEY, BASE.plusSeconds(i)));
    }
    // Two jobs created in the same millisecond are ordered by id.
    String tieA = seed("list-a", "lp1", JobType.ASSET_IMAGE_KEY, BASE.minusSeconds(60));
    String tieB = seed("list-a", "lp1", JobType.ASSET_IMAGE_KEY, BASE.minusSeconds(60));
    newestFirst.add(tieA.compareTo(tieB) > 0 ? tieA : tieB);
    newestFirst.add(tieA.compareTo(tieB) > 0 ? tieB : tieA);
    seed("list-a", "lp2", JobType.ASSET_IMAGE_KEY, BASE);
    seed("list-intruder", "lp1", JobType.ASSET_IMAGE_KEY, BASE);
    awaitProjectionCaughtUp();

    Map<String, Object> first = page("list-a", "?projectId=lp1&limit=4");
    seed("list-a", "lp1", JobType.ASSET_IMAGE_KEY, BASE.plusSeconds(3600));
    awaitProjectionCaughtUp();
    Map<String, Object> second = page("list-a", "?projectId=lp1&limit=4&cursor=" + first.get("nextCursor"));
    Map<String, Object> third = page("list-a", "?projectId=lp1&limit=4&cursor=" + second.get("nextCursor"));

    List<String> seen = new ArrayList<>();
    seen.addAll(ids(first));
    seen.addAll(ids(second));
    seen.addAll(ids(third));
    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(ids(third)).hasSize(1);
    assertThat(third.get("nextCursor")).isNull();
  }

  @Test
  void givenFiltersThenOnlyMatchingJobsOfTheTenantAreListed() {
    String frame = seed("list-c", "lp1", JobType.END_FRAME, BASE);
    String asset = seed("list-c", "lp1", JobType.ASSET_IMAGE_KEY, BASE.plusSeconds(1));
    String otherProject = seed("list-c", "lp9", JobType.END_FRAME, BASE.plusSeconds(2), JobPriority.HIGH);
    LifecycleEvents failing = LifecycleEvents.forJob(asset, "list-c");
    publish(failing.started(), failing.failed("processing", "PERMANENT", "refused"));
    awaitProjectionCaughtUp();

    assertThat(ids(page("list-c", "?jobType=END_FRAME"))).containsExactly(otherProject, frame);
    assertThat(ids(page("list-c", "?projectId=lp1&jobType=END_FRAME"))).containsExactly(frame);
    assertThat(ids(page("list-c", "?status=failed"))).containsExactly(asset);
    assertThat(ids(page("list-c", "?projectId=lp1&status=queued"))).containsExactly(frame);
    assertThat(ids(page("list-c", "?priority=high"))).containsExactly(otherProject);
    assertThat(ids(page("list-c", "?priority=normal&jobType=END_FRAME"))).containsExactly(frame);
    assertThat(ids(page("list-c", "?priority=low"))).isEmpty();
    assertThat(ids(page("list-c", ""))).containsExactly(otherProject, asset, frame);
    assertThat(ids(page("list-nobody", ""))).isEmpty();
  }

  @Test
  void givenNoLimitThenTwentyJobsComeWithACursorAndTheProjectStreamPosition() {
    for (int i = 0; i < 21; i++) {
      seed("list-d", "lp1", JobType.ASSET_IMAGE_KEY, BASE.plusSeconds(i));
    }
    awaitProjectionCaughtUp();

    Map<String, Object> page = page("list-d", "?projectId=lp1");

    assertThat(ids(page)).hasSize(20);
    assertThat(page.get("nextCursor")).isNotNull();
    String latest = jdbc().queryForObject("SELECT tx_id || '-' || global_seq FROM job_events"
        + " WHERE tenant_id = 'list-d' AND project_id = 'lp1' ORDER BY tx_id DESC, global_seq DESC LIMIT 1", String.class);
    assertThat(page.get("lastEventId")).as("the project's latest event, every transaction being over").isEqualTo(latest);
    assertThat(page("list-d", "").get("lastEventId")).as("only a project list has a stream position").isNull();
  }

  @Test
  void givenUnusableParametersThenProblemListsEveryOneOfThem() {
    as("list-e").get()
        .uri(JOBS + "?projectId=../x&status=done&jobType=POSTER&priority=urgent&limit=101&cursor=bm90LWEtY3Vyc29y")
        .exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.errors[*].field").value(fields -> assertThat(fields).asList()
            .containsExactly("cursor", "jobType", "limit", "priority", "projectId", "status"));
    for (String limit : List.of("0", "-1", "abc", "1e3")) {
      as("list-e").get().uri(JOBS + "?limit=" + limit).exchange()
          .expectStatus().isBadRequest()
          .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
    }
    as("list-e").get().uri(JOBS + "?limit=100").exchange().expectStatus().isOk();
  }

  /** Publishes a new job's {@code JobRequested} as if created at {@code createdAt}; returns its id. */
  private String seed(String tenant, String project, JobType type, Instant createdAt) {
    return seed(tenant, project, type, createdAt, JobPriority.NORMAL);
  }

  private String seed(String tenant, String project, JobType type, Instant createdAt, JobPriority priority) {
    LifecycleEvents job = LifecycleEvents.aJob(tenant);
    var spec = Events.anAssetKeySpec().setProjectId(project).setJobType(type).setPriority(priority);
    if (type != JobType.ASSET_IMAGE_KEY) {
      spec.setAssetId(null).setSceneId("s1").setShotId("sh1");
    }
    JobRequested requested = job.requested(spec.build());
    requested.getMetadata().setOccurredAt(createdAt);
    publish(requested);
    return job.jobId();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> page(String tenant, String query) {
    return as(tenant).get().uri(JOBS + query).exchange()
        .expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
  }

  @SuppressWarnings("unchecked")
  private static List<String> ids(Map<String, Object> page) {
    return ((List<Map<String, Object>>) page.get("items")).stream().map(item -> (String) item.get("jobId")).toList();
  }
}
