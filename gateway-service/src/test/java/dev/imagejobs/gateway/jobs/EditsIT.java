package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * EDIT jobs through the API: the source (a completed job's image or an upload of the project) and
 * the mask are resolved into the spec, the job belongs where its source does, and what cannot be
 * edited is refused with the field and the reason before anything is written.
 */
class EditsIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  private static final String REFERENCES = "/api/v1/images/references";
  private static final String START_FRAME = """
      {"jobType":"START_FRAME","projectId":"%s","branchId":"main","sceneId":"s1","shotId":"sh1",
       "prompt":"Mara on the pier at dawn","aspectRatio":"16:9"}""";
  private static final String EDIT = """
      {"jobType":"EDIT","projectId":"p1","branchId":"main","prompt":"Make her coat red","edit":%s%s}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenACompletedFrameAndAMaskThenTheEditCarriesBothBelongsToTheShotAndARetryKeepsThem() {
    String frame = completedFrame("edit-a", "p1");
    // The completed images of these tests are 1024x576.
    String mask = upload("edit-a", "p1", maskPng(1024, 576));

    String jobId = createJob("edit-a", EDIT.formatted(
        "{\"source\":{\"jobId\":\"" + frame + "\"},\"mask\":{\"referenceId\":\"" + mask + "\"}}", ""));

    as("edit-a").get().uri(JOBS + "/" + jobId).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.jobType").isEqualTo("EDIT")
        .jsonPath("$.sceneId").isEqualTo("s1")
        .jsonPath("$.shotId").isEqualTo("sh1")
        .jsonPath("$.aspectRatio").isEqualTo("16:9")
        .jsonPath("$.edit.source.source").isEqualTo("job")
        .jsonPath("$.edit.source.id").isEqualTo(frame)
        .jsonPath("$.edit.mask.source").isEqualTo("upload")
        .jsonPath("$.edit.mask.id").isEqualTo(mask)
        .jsonPath("$.references.length()").isEqualTo(0)
        // The source is one more image the model reads; the mask never goes to the model.
        .jsonPath("$.estimatedCostMicros").isEqualTo(1500 + 100);
    JobSpec spec = requested(jobId).getSpec();
    assertThat(spec.getJobType()).isEqualTo(JobType.EDIT);
    ImageEdit edit = spec.getEdit();
    assertThat(edit.getSource().getStoragePath()).isEqualTo("tenant_edit-a/done-" + frame + ".png");
    assertThat(edit.getSource().getWidth()).isEqualTo(1024);
    assertThat(edit.getMask().getStoragePath()).isEqualTo("tenant_edit-a/project_p1/references/" + mask + ".png");
    assertThat(edit.getMask().getContentType()).isEqualTo("image/png");

    LifecycleEvents job = LifecycleEvents.forJob(jobId, "edit-a");
    awaitOutboxDrained();
    publish(job.started(), job.failed("generating", "PERMANENT", "refused"));
    await().atMost(PATIENCE).untilAsserted(() -> as("edit-a").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("failed"));
    as("edit-a").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.edit.mask.id").isEqualTo(mask);
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      JobRetryRequested retry = codec.decode(lifecycle.await(r -> jobId.equals(r.key())
          && codec.decode(r.value()).payload() instanceof JobRetryRequested).value()).payload(JobRetryRequested.class);
      assertThat(retry.getSpec().getEdit()).isEqualTo(edit);
    }
  }

  @Test
  void givenAnUploadedSourceWithoutAspectRatioThenTheNearestRatioIsAskedForAndNoShotIsNamed() {
    String source = upload("edit-b", "p1", maskPng(300, 200));

    String jobId = createJob("edit-b", EDIT.formatted("{\"source\":{\"referenceId\":\"" + source + "\"}}", ""));

    as("edit-b").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody()
        .jsonPath("$.aspectRatio").isEqualTo("3:2")
        .jsonPath("$.sceneId").isEmpty()
        .jsonPath("$.edit.source.id").isEqualTo(source)
        .jsonPath("$.edit.mask").isEmpty();
    assertThat(jobRow(jobId).get("edit").toString()).contains(source);
  }

  @Test
  void givenWhatCannotBeEditedThenEachIsRefusedWithItsFieldAndNothingIsWritten() {
    String frame = completedFrame("edit-c", "p1");
    String otherProject = completedFrame("edit-c", "p2");
    String queued = createJob("edit-c", START_FRAME.formatted("p1"));
    String smallMask = upload("edit-c", "p1", maskPng(64, 36));
    String jpegMask = uploadJpeg("edit-c", "p1", 1024, 576);
    String othersUpload = upload("edit-other", "p1", maskPng(1024, 576));
    String opaqueMask = upload("edit-c", "p1", encode(new BufferedImage(1024, 576, BufferedImage.TYPE_INT_RGB), "png"));
    String webpSource = uploadAs("edit-c", "p1", MediaType.parseMediaType("image/webp"), losslessWebpHeader(1024, 576));
    String mask = upload("edit-c", "p1", maskPng(1024, 576));
    long before = jobsOf("edit-c");

    unusable(source(frame) + ",\"mask\":{\"referenceId\":\"" + smallMask + "\"}}")
        .jsonPath("$.errors[0].field").isEqualTo("edit.mask")
        .jsonPath("$.errors[0].message").isEqualTo("is 64x36; the source image is 1024x576");
    unusable(source(frame) + ",\"mask\":{\"referenceId\":\"" + jpegMask + "\"}}")
        .jsonPath("$.errors[0].message").isEqualTo("must be a PNG, not image/jpeg");
    unusable(source(frame) + ",\"mask\":{\"referenceId\":\"" + opaqueMask + "\"}}")
        .jsonPath("$.errors[0].message")
        .isEqualTo("has no alpha channel: its opaque pixels (alpha 128 or more) mark the region to change");
    unusable("{\"source\":{\"referenceId\":\"" + webpSource + "\"},\"mask\":{\"referenceId\":\"" + mask + "\"}}")
        .jsonPath("$.errors[0].field").isEqualTo("edit.source")
        .jsonPath("$.errors[0].message").value(message -> assertThat((String) message).contains("a masked edit "
            + "needs a PNG or JPEG source"));
    unusable(source(otherProject) + "}")
        .jsonPath("$.errors[0].field").isEqualTo("edit.source")
        .jsonPath("$.errors[0].message").isEqualTo("belongs to project p2, not p1");
    unusable(source(queued) + "}")
        .jsonPath("$.errors[0].message").isEqualTo("job " + queued + " has no image (it is queued)");
    unusable("{\"source\":{\"referenceId\":\"" + othersUpload + "\"}}")
        .jsonPath("$.errors[0].message").isEqualTo("no reference image " + othersUpload);
    as("edit-c").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(EDIT.formatted(source(frame) + "}", ",\"shotId\":\"sh1\""))
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("shotId");
    as("edit-c").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(EDIT.formatted("{\"source\":{\"jobId\":\"" + frame + "\",\"referenceId\":\"" + smallMask + "\"}}",
            ""))
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("edit.source");

    assertThat(jobsOf("edit-c")).isEqualTo(before);
  }

  private static String source(String jobId) {
    return "{\"source\":{\"jobId\":\"" + jobId + "\"}";
  }

  private WebTestClient.BodyContentSpec unusable(String edit) {
    return as("edit-c").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(EDIT.formatted(edit, ""))
        .exchange()
        .expectStatus().isEqualTo(422)
        .expectBody().jsonPath("$.title").isEqualTo("Unusable reference images");
  }

  private String completedFrame(String tenant, String project) {
    String jobId = createJob(tenant, START_FRAME.formatted(project));
    completeJob(tenant, jobId);
    return jobId;
  }

  private String upload(String tenant, String project, byte[] png) {
    return uploadAs(tenant, project, MediaType.IMAGE_PNG, png);
  }

  private String uploadJpeg(String tenant, String project, int width, int height) {
    return uploadAs(tenant, project, MediaType.IMAGE_JPEG,
        encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "jpeg"));
  }

  @SuppressWarnings("unchecked")
  private String uploadAs(String tenant, String project, MediaType type, byte[] image) {
    Map<String, Object> stored = as(tenant).post().uri(REFERENCES + "?projectId=" + project).contentType(type)
        .bodyValue(image).exchange()
        .expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
    return (String) stored.get("referenceId");
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
  }

  private long jobsOf(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }

  /** A mask: transparent, with an opaque square in its top left quarter. */
  private static byte[] maskPng(int width, int height) {
    BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < height / 2; y++) {
      for (int x = 0; x < width / 2; x++) {
        mask.setRGB(x, y, 0xFFFFFFFF);
      }
    }
    return encode(mask, "png");
  }

  /** The RIFF header of a lossless WebP of that size: enough for the upload's header check. */
  private static byte[] losslessWebpHeader(int width, int height) {
    ByteBuffer file = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
    file.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(18).put("WEBP".getBytes(StandardCharsets.US_ASCII))
        .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(5)
        .put((byte) 0x2F).putInt((width - 1) | (height - 1) << 14).put((byte) 0);
    return file.array();
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
