package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Frame continuity: an end frame takes its shot's start frame (named, or the latest completed one)
 * as its first reference, and a shot's frames and the asset keys they use are listed by one call.
 */
class FrameContinuityIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"film","branchId":"main","assetId":"%s","prompt":"%s",
       "aspectRatio":"3:4"}""";
  private static final String START = """
      {"jobType":"START_FRAME","projectId":"film","branchId":"main","sceneId":"s1","shotId":"%s",
       "prompt":"Mara hands Tomas the lamp","aspectRatio":"21:9"%s}""";
  private static final String END = """
      {"jobType":"END_FRAME","projectId":"film","branchId":"main","sceneId":"s1","shotId":"%s",
       "prompt":"Tomas walks away with the lamp","aspectRatio":"21:9"%s}""";

  @Test
  void givenAShotMadeFromTwoAssetKeysThenItsEndFrameFollowsItsLatestStartFrameAndTheShotListsThemAll() {
    String mara = completed("cont-a", KEY.formatted("mara", "Mara, a lighthouse keeper"));
    String tomas = completed("cont-a", KEY.formatted("tomas", "Tomas, a fisherman"));
    String references = ",\"references\":[{\"jobId\":\"" + mara + "\"},{\"jobId\":\"" + tomas + "\"}]";
    String firstStart = completed("cont-a", START.formatted("sh1", references));
    String latestStart = completed("cont-a", START.formatted("sh1", references));
    String unfinishedStart = createJob("cont-a", START.formatted("sh1", ""));

    String matched = createJob("cont-a", END.formatted("sh1", ",\"matchStartFrame\":true"));
    String named = createJob("cont-a", END.formatted("sh1", ",\"startFrameJobId\":\"" + firstStart + "\""
        + ",\"references\":[{\"jobId\":\"" + tomas + "\"}]"));

    assertThat(referenceIds("cont-a", matched)).as("the latest completed start frame, not the unfinished one")
        .containsExactly(latestStart);
    assertThat(referenceIds("cont-a", named)).as("the named start frame first, then the request's references")
        .containsExactly(firstStart, tomas);
    as("cont-a").get().uri("/api/v1/images/shots?projectId=film&sceneId=s1&shotId=sh1").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.startFrames[*].jobId").value(ids -> assertThat(ids).asList()
            .containsExactly(unfinishedStart, latestStart, firstStart))
        .jsonPath("$.endFrames[*].jobId").value(ids -> assertThat(ids).asList().containsExactly(named, matched))
        .jsonPath("$.assetKeys[*].jobId").value(ids -> assertThat(ids).asList().containsExactly(mara, tomas))
        .jsonPath("$.assetKeys[0].assetId").isEqualTo("mara");
    as("cont-other").get().uri("/api/v1/images/shots?projectId=film&sceneId=s1&shotId=sh1").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.startFrames.length()").isEqualTo(0);
  }

  @Test
  void givenNoUsableStartFrameThenTheEndFrameIsRefusedAndNothingIsWritten() {
    String otherShot = completed("cont-b", START.formatted("sh9", ""));
    String unfinished = createJob("cont-b", START.formatted("sh2", ""));
    String key = completed("cont-b", KEY.formatted("mara", "Mara"));
    long before = jobsOf("cont-b");

    refused(END.formatted("sh2", ",\"matchStartFrame\":true"), 422)
        .jsonPath("$.errors[0].field").isEqualTo("matchStartFrame")
        .jsonPath("$.errors[0].message").isEqualTo("scene s1, shot sh2 of project film has no completed start frame");
    refused(END.formatted("sh2", ",\"startFrameJobId\":\"" + otherShot + "\""), 422)
        .jsonPath("$.errors[0].field").isEqualTo("startFrameJobId")
        .jsonPath("$.errors[0].message")
        .isEqualTo("job " + otherShot + " is not a start frame of project film, scene s1, shot sh2");
    refused(END.formatted("sh2", ",\"startFrameJobId\":\"" + key + "\""), 422)
        .jsonPath("$.errors[0].field").isEqualTo("startFrameJobId");
    refused(END.formatted("sh2", ",\"startFrameJobId\":\"" + unfinished + "\""), 422)
        .jsonPath("$.errors[0].message").isEqualTo("start frame " + unfinished + " has no image (it is queued)");
    refused(START.formatted("sh2", ",\"matchStartFrame\":true"), 400)
        .jsonPath("$.errors[0].field").isEqualTo("matchStartFrame")
        .jsonPath("$.errors[0].message").isEqualTo("is only for END_FRAME jobs");
    refused(END.formatted("sh9", ",\"matchStartFrame\":true,\"startFrameJobId\":\"" + otherShot + "\""), 400)
        .jsonPath("$.errors[0].field").isEqualTo("matchStartFrame");

    assertThat(jobsOf("cont-b")).isEqualTo(before);
  }

  private String completed(String tenant, String body) {
    String jobId = createJob(tenant, body);
    completeJob(tenant, jobId);
    return jobId;
  }

  @SuppressWarnings("unchecked")
  private List<String> referenceIds(String tenant, String jobId) {
    Map<String, Object> view = as(tenant).get().uri(JOBS + "/" + jobId).exchange()
        .expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody();
    return ((List<Map<String, Object>>) view.get("references")).stream()
        .map(reference -> (String) reference.get("id")).toList();
  }

  private WebTestClient.BodyContentSpec refused(String body, int status) {
    return as("cont-b").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange()
        .expectStatus().isEqualTo(status)
        .expectBody();
  }

  private long jobsOf(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }
}
