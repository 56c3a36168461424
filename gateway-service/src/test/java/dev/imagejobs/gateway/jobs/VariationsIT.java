package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Variations through the API: a job asks for several images of one request, each charged; the job
 * shows every variant with its status and cost; a client chooses one of a completed job (again and
 * again), each choice its own VariantSelected, and the job's image, the references made of it and
 * the shot's matched start frame follow the choice.
 */
class VariationsIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String START = """
      {"jobType":"START_FRAME","projectId":"vars","branchId":"main","sceneId":"s1","shotId":"sh1",
       "prompt":"The harbour at dawn","aspectRatio":"16:9"%s}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenAJobOfThreeVariantsThenEachIsShownAndOneChosenAgainAndAgainBecomesTheJobsImage() {
    String jobId = createJob("var-a", START.formatted(",\"variants\":3"));
    as("var-a").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody()
        .jsonPath("$.variantCount").isEqualTo(3)
        .jsonPath("$.variants.length()").isEqualTo(0)
        // Three provider calls: three times the estimate of one image.
        .jsonPath("$.estimatedCostMicros").isEqualTo(3 * 1500);
    assertThat(requested(jobId).getSpec().getVariants()).isEqualTo(3);

    completeWithVariants("var-a", jobId);

    as("var-a").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody()
        .jsonPath("$.status").isEqualTo("completed")
        .jsonPath("$.variants[*].status").isEqualTo(List.of("stored", "failed", "stored"))
        .jsonPath("$.variants[1].errorCode").isEqualTo("SAFETY")
        .jsonPath("$.variants[1].url").isEmpty()
        .jsonPath("$.variants[2].url").isEqualTo(JOBS + "/" + jobId + "/variants/3/image")
        .jsonPath("$.variants[2].actualCostMicros").isEqualTo(1300)
        .jsonPath("$.selectedVariant").isEmpty()
        // Before a choice, the job's image is its first stored variant's own object.
        .jsonPath("$.image.storagePath").isEqualTo(variantPath(jobId, 1))
        .jsonPath("$.image.sha256").isEqualTo("a1".repeat(32));

    select("var-a", jobId, 3).expectStatus().isOk()
        .expectBody().jsonPath("$.selectedVariant").isEqualTo(3)
        .jsonPath("$.status").isEqualTo("completed")
        .jsonPath("$.image.storagePath").isEqualTo(variantPath(jobId, 3))
        .jsonPath("$.image.sha256").isEqualTo("a3".repeat(32))
        .jsonPath("$.image.width").isEqualTo(640);
    select("var-a", jobId, 3).expectStatus().isOk();
    select("var-a", jobId, 1).expectStatus().isOk().expectBody().jsonPath("$.selectedVariant").isEqualTo(1);

    List<VariantSelected> selections = selections(jobId, 2);
    assertThat(selections).extracting(VariantSelected::getVariant).containsExactly(3, 1);
    VariantSelected third = selections.get(0);
    assertThat(third.getStoragePath()).isEqualTo(variantPath(jobId, 3));
    assertThat(third.getJobStoragePath()).isEqualTo(jobPath(jobId));
    assertThat(third.getSha256()).isEqualTo("a3".repeat(32));
    assertThat(selections.get(1).getJobStoragePath()).as("the job's path, whatever was chosen before")
        .isEqualTo(jobPath(jobId));
    assertThat(history(jobId)).extracting(event -> event.get("event_type"))
        .containsSubsequence("JobCompleted", "VariantSelected", "VariantSelected");

    // A job made from it gets the chosen image, never the job's path whose bytes a choice replaces.
    String end = createJob("var-a", """
        {"jobType":"END_FRAME","projectId":"vars","branchId":"main","sceneId":"s1","shotId":"sh1",
         "prompt":"The harbour at dusk","aspectRatio":"16:9","matchStartFrame":true}""");
    as("var-a").get().uri(JOBS + "/" + end).exchange()
        .expectBody().jsonPath("$.references[0].id").isEqualTo(jobId)
        .jsonPath("$.references[0].sha256").isEqualTo("a1".repeat(32));
  }

  @Test
  void givenWhatCannotBeChosenThenEachIsRefusedAndNoEventIsWritten() {
    String queued = createJob("var-b", START.formatted(",\"variants\":2"));
    String single = createJob("var-b", START.formatted(""));
    completeJob("var-b", single);
    String varied = createJob("var-b", START.formatted(",\"variants\":3"));
    completeWithVariants("var-b", varied);

    select("var-b", queued, 1).expectStatus().isEqualTo(409);
    select("var-b", single, 1).expectStatus().isEqualTo(422)
        .expectBody().jsonPath("$.errors[0].message").isEqualTo("job " + single + " made one image, not variants");
    select("var-b", varied, 2).expectStatus().isEqualTo(422)
        .expectBody().jsonPath("$.errors[0].message").value(message -> assertThat((String) message)
            .startsWith("variant 2 failed"));
    select("var-b", varied, 4).expectStatus().isEqualTo(422);
    select("var-b", varied, 5).expectStatus().isBadRequest();
    select("var-other", varied, 1).expectStatus().isNotFound();
    as("var-b").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(START.formatted(",\"variants\":0")).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("variants");

    assertThat(history(varied)).extracting(event -> event.get("event_type")).doesNotContain("VariantSelected");
    assertThat(history(queued)).extracting(event -> event.get("event_type")).doesNotContain("VariantSelected");
  }

  /** Runs the job as generation and upload would: variant 2 fails, 1 and 3 are stored. */
  private void completeWithVariants(String tenant, String jobId) {
    LifecycleEvents job = LifecycleEvents.forJob(jobId, tenant);
    awaitOutboxDrained();
    ImageGenerated generated = ImageGenerated.newBuilder(job.imageGenerated(2500))
        .setVariants(List.of(generated(1, "staging/" + jobId + "/attempt-1.png", 1200), failed(2),
            generated(3, "staging/" + jobId + "/attempt-1-variant-3.png", 1300)))
        .build();
    JobCompleted completed = JobCompleted.newBuilder(job.completed(jobPath(jobId), "a1".repeat(32), 4321))
        .setVariants(List.of(generated(1, variantPath(jobId, 1), 1200), failed(2),
            generated(3, variantPath(jobId, 3), 1300)))
        .build();
    publish(job.started(), job.generationStarted(1), generated, job.uploadStarted(), completed);
    await().atMost(PATIENCE).untilAsserted(() -> as(tenant).get().uri(JOBS + "/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("completed"));
  }

  private static ImageVariant generated(int variant, String path, long cost) {
    return ImageVariant.newBuilder().setVariant(variant).setPath(path).setContentType("image/png")
        .setSizeBytes(4000L + variant).setSha256(("a" + variant).repeat(32)).setWidth(variant == 3 ? 640 : 1024)
        .setHeight(576).setActualCostMicros(cost).build();
  }

  private static ImageVariant failed(int variant) {
    return ImageVariant.newBuilder().setVariant(variant).setErrorClass("PERMANENT").setErrorCode("SAFETY")
        .setMessage("The prompt was blocked").build();
  }

  private static String jobPath(String jobId) {
    return "tenant_t/project_vars/branch_main/scene_s1/shot_sh1/start_frame_" + jobId + ".png";
  }

  private static String variantPath(String jobId, int variant) {
    return "tenant_t/project_vars/branch_main/scene_s1/shot_sh1/start_frame_" + jobId + "_v" + variant + ".png";
  }

  private WebTestClient.ResponseSpec select(String tenant, String jobId,
      int variant) {
    return as(tenant).post().uri(JOBS + "/" + jobId + "/select").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"variant\":" + variant + "}").exchange();
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
  }

  private List<VariantSelected> selections(String jobId, int count) {
    awaitOutboxDrained();
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      Predicate<ConsumerRecord<String, byte[]>> selection =
          r -> jobId.equals(r.key()) && codec.decode(r.value()).payload() instanceof VariantSelected;
      await().atMost(PATIENCE).until(() -> lifecycle.seen(selection).size() >= count);
      return lifecycle.seen(selection).stream()
          .map(r -> codec.decode(r.value()).payload(VariantSelected.class))
          .toList();
    }
  }
}
