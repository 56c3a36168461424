package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.ReferenceImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A project's style capsules: versions are immutable, a job records the version it used (text and
 * images in its spec) and a retry sends the same; a deleted capsule is hidden from new jobs only.
 */
class StyleCapsulesIT extends GatewayIntegrationTest {
  private static final String CAPSULES = "/api/v1/images/projects/film/style-capsules";
  private static final String JOB = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"film","branchId":"main","assetId":"mara","prompt":"Mara",
       "aspectRatio":"3:4","styleCapsuleId":"%s"}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenAProjectCapsuleThenJobsUseItsLatestVersionAndKeepTheVersionTheyUsedThroughChangesRetriesAndDeletion()
      throws IOException {
    String sketch = upload("caps-a");
    capsule("caps-a", "{\"capsuleId\":\"house\",\"styleText\":\"ink wash, muted teal\",\"referenceIds\":[\""
        + sketch + "\"]}", 201).jsonPath("$.version").isEqualTo(1).jsonPath("$.builtIn").isEqualTo(false);

    String first = createJob("caps-a", JOB.formatted("house"));

    JobSpec firstSpec = requested(first).getSpec();
    assertThat(firstSpec.getStyleText()).isEqualTo("ink wash, muted teal");
    assertThat(firstSpec.getStyleCapsuleVersion()).isEqualTo(1);
    assertThat(firstSpec.getReferences()).extracting(ReferenceImage::getSource, ReferenceImage::getId)
        .containsExactly(tuple("capsule", sketch));
    as("caps-a").get().uri(CAPSULES).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$[0].capsuleId").isEqualTo("house")
        .jsonPath("$[?(@.capsuleId == 'noir')].builtIn").isEqualTo(List.of(true));

    as("caps-a").put().uri(CAPSULES + "/house").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"styleText\":\"charcoal, high contrast\"}").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.version").isEqualTo(2).jsonPath("$.referenceIds.length()").isEqualTo(0);
    String second = createJob("caps-a", JOB.formatted("house"));
    assertThat(requested(second).getSpec().getStyleText()).isEqualTo("charcoal, high contrast");
    assertThat(requested(second).getSpec().getReferences()).isEmpty();
    as("caps-a").get().uri("/api/v1/images/jobs/" + first).exchange()
        .expectBody().jsonPath("$.styleCapsuleVersion").isEqualTo(1);
    as("caps-a").get().uri("/api/v1/images/jobs/" + second).exchange()
        .expectBody().jsonPath("$.styleCapsuleVersion").isEqualTo(2);

    // A retry of the first job sends version 1 again, even after the capsule was deleted.
    as("caps-a").delete().uri(CAPSULES + "/house").exchange().expectStatus().isNoContent();
    as("caps-a").get().uri(CAPSULES + "/house").exchange().expectStatus().isNotFound();
    as("caps-a").post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(JOB.formatted("house")).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("styleCapsuleId");
    LifecycleEvents job = LifecycleEvents.forJob(first, "caps-a");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    await().atMost(PATIENCE).untilAsserted(() -> as("caps-a").get().uri("/api/v1/images/jobs/" + first).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("failed"));
    as("caps-a").post().uri("/api/v1/images/jobs/" + first + "/retry").exchange().expectStatus().isAccepted();
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      JobSpec retried = codec.decode(lifecycle.await(r -> first.equals(r.key())
          && codec.decode(r.value()).payload() instanceof JobRetryRequested).value())
          .payload(JobRetryRequested.class).getSpec();
      assertThat(retried.getStyleText()).isEqualTo("ink wash, muted teal");
      assertThat(retried.getStyleCapsuleVersion()).isEqualTo(1);
      assertThat(retried.getReferences()).isEqualTo(firstSpec.getReferences());
    }

    // Created again, the capsule continues its numbering.
    capsule("caps-a", "{\"capsuleId\":\"house\",\"styleText\":\"watercolour\"}", 201)
        .jsonPath("$.version").isEqualTo(3);
  }

  @Test
  void givenBadCapsulesThenEachIsRefusedWithWhy() throws IOException {
    String othersUpload = upload("caps-other");
    capsule("caps-b", "{\"capsuleId\":\"noir\",\"styleText\":\"mine\"}", 409)
        .jsonPath("$.detail").isEqualTo("Style capsule noir is a built-in one");
    capsule("caps-b", "{\"capsuleId\":\"house\",\"styleText\":\"one\"}", 201);
    capsule("caps-b", "{\"capsuleId\":\"house\",\"styleText\":\"two\"}", 409);
    capsule("caps-b", "{\"capsuleId\":\"other\",\"styleText\":\"x\",\"referenceIds\":[\"" + othersUpload + "\"]}", 422)
        .jsonPath("$.errors[0].field").isEqualTo("referenceIds[0]");
    capsule("caps-b", "{\"capsuleId\":\"empty\",\"styleText\":\" \"}", 400)
        .jsonPath("$.errors[0].field").isEqualTo("styleText");
    as("caps-b").put().uri(CAPSULES + "/missing").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"styleText\":\"x\"}").exchange().expectStatus().isNotFound();
    as("caps-other").get().uri(CAPSULES + "/house").exchange().expectStatus().isNotFound();
    as("caps-other").post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(JOB.formatted("house")).exchange().expectStatus().isBadRequest();
  }

  private WebTestClient.BodyContentSpec capsule(
      String tenant, String body, int status) {
    return as(tenant).post().uri(CAPSULES).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
        .expectStatus().isEqualTo(status)
        .expectBody();
  }

  @SuppressWarnings("unchecked")
  private String upload(String tenant) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", png);
    Map<String, Object> stored = as(tenant).post().uri("/api/v1/images/references?projectId=film")
        .contentType(MediaType.IMAGE_PNG).bodyValue(png.toByteArray()).exchange()
        .expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    return (String) stored.get("referenceId");
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
  }
}
