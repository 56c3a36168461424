package dev.imagejobs.gateway.references;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.TopicReader;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.Sha256;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * Reference images through the API: uploads checked like generated images and stored privately
 * under the project, listed, fetched and deleted; jobs that name them (and completed jobs' images)
 * carry them in their specs, in order, within what the model takes.
 */
class ReferencesIT extends GatewayIntegrationTest {
  private static final String REFERENCES = "/api/v1/images/references";
  private static final String JOBS = "/api/v1/images/jobs";
  private static final MediaType PNG = MediaType.IMAGE_PNG;
  private static final String ASSET_KEY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"p1","branchId":"main","assetId":"hero",
       "prompt":"Mara at the lighthouse","aspectRatio":"16:9"%s}""";
  private final LifecycleCodec codec = new LifecycleCodec();

  @Test
  void givenAnUploadedImageThenItIsStoredPrivatelyListedServedAndOnlyItsTenantSeesIt() throws IOException {
    byte[] png = png(64, 48, Color.RED);

    Map<String, Object> stored = upload("ref-a", "p1", PNG, png, "mara.png");

    assertThat(stored).containsEntry("contentType", "image/png").containsEntry("width", 64)
        .containsEntry("height", 48).containsEntry("sizeBytes", png.length)
        .containsEntry("sha256", Sha256.hex(png)).containsEntry("fileName", "mara.png")
        .containsEntry("projectId", "p1");
    String id = (String) stored.get("referenceId");
    Map<String, Object> row = jdbc().queryForMap("SELECT * FROM reference_images WHERE reference_id = ?", id);
    assertThat((String) row.get("storage_path")).isEqualTo("tenant_ref-a/project_p1/references/" + id + ".png");
    assertThat(Files.readAllBytes(STORAGE_DIR.resolve("asset-images").resolve((String) row.get("storage_path"))))
        .isEqualTo(png);
    as("ref-a").get().uri(REFERENCES + "?projectId=p1").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$[*].referenceId").value(ids -> assertThat(ids).asList().containsExactly(id));
    byte[] served = as("ref-a").get().uri(REFERENCES + "/" + id + "/image").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(PNG)
        .expectBody(byte[].class).returnResult().getResponseBody();
    assertThat(served).isEqualTo(png);
    as("ref-other").get().uri(REFERENCES + "/" + id).exchange().expectStatus().isNotFound();
    as("ref-other").get().uri(REFERENCES + "/" + id + "/image").exchange().expectStatus().isNotFound();
    as("ref-other").delete().uri(REFERENCES + "/" + id).exchange().expectStatus().isNotFound();
    as("ref-other").get().uri(REFERENCES + "?projectId=p1").exchange()
        .expectBody().jsonPath("$.length()").isEqualTo(0);
  }

  @Test
  void givenBadImagesThenEachIsRefusedWithWhyAndNothingIsStored() throws IOException {
    byte[] png = png(16, 16, Color.BLUE);
    refused("ref-b", MediaType.TEXT_PLAIN, "hello".getBytes(), 415);
    refused("ref-b", MediaType.IMAGE_JPEG, png, 422).contains("Declared image/jpeg but the bytes are a PNG image");
    refused("ref-b", PNG, "not an image at all".getBytes(), 422).contains("not a PNG, JPEG or WebP image");
    refused("ref-b", PNG, Arrays.copyOf(png, 12), 422).contains("Cannot read the dimensions");
    refused("ref-b", PNG, pngHeader(9000, 10), 422).contains("9000x10 pixels; at most 8192");
    refused("ref-b", PNG, new byte[0], 422).contains("empty");
    byte[] tooLarge = Arrays.copyOf(png, 7 * 1024 * 1024 + 1);
    as("ref-b").post().uri(REFERENCES + "?projectId=p1").contentType(PNG).bodyValue(tooLarge)
        .exchange().expectStatus().isEqualTo(413);
    as("ref-b").post().uri(REFERENCES).contentType(PNG).bodyValue(png)
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("projectId");

    assertThat(jdbc().queryForObject("SELECT count(*) FROM reference_images WHERE tenant_id = 'ref-b'", Long.class))
        .isZero();
    assertThat(STORAGE_DIR.resolve("asset-images/tenant_ref-b")).doesNotExist();
  }

  @Test
  void givenAJobNamingAnUploadAndACompletedJobThenItsSpecCarriesThemInOrderAndARetryKeepsThem()
      throws IOException {
    byte[] png = png(32, 32, Color.GREEN);
    String uploaded = (String) upload("ref-c", "p1", PNG, png, null).get("referenceId");
    String keyJob = completedJob("ref-c");

    String jobId = create("ref-c", ASSET_KEY.formatted(",\"references\":[{\"referenceId\":\"" + uploaded
        + "\"},{\"jobId\":\"" + keyJob + "\"}]"));

    as("ref-c").get().uri(JOBS + "/" + jobId).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.references[*].source").isEqualTo(List.of("upload", "job"))
        .jsonPath("$.references[*].id").isEqualTo(List.of(uploaded, keyJob))
        .jsonPath("$.references[0].width").isEqualTo(32)
        .jsonPath("$.references[1].sha256").isEqualTo("cd".repeat(32))
        .jsonPath("$.estimatedCostMicros").isEqualTo(1500 + 2 * 100);
    List<ReferenceImage> inSpec = requested(jobId).getSpec().getReferences();
    assertThat(inSpec).extracting(ReferenceImage::getSource).containsExactly("upload", "job");
    assertThat(inSpec.get(0).getStoragePath()).isEqualTo("tenant_ref-c/project_p1/references/" + uploaded + ".png");
    assertThat(inSpec.get(0).getSha256()).isEqualTo(Sha256.hex(png));
    assertThat(inSpec.get(1).getStoragePath()).isEqualTo("tenant_ref-c/done-" + keyJob + ".png");

    LifecycleEvents job = LifecycleEvents.forJob(jobId, "ref-c");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    await().atMost(PATIENCE).untilAsserted(() -> as("ref-c").get().uri(JOBS + "/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("failed"));
    as("ref-c").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isAccepted()
        .expectBody().jsonPath("$.references[*].id").isEqualTo(List.of(uploaded, keyJob));
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      JobRetryRequested retry = codec.decode(lifecycle.await(r -> jobId.equals(r.key())
          && codec.decode(r.value()).payload() instanceof JobRetryRequested).value()).payload(JobRetryRequested.class);
      assertThat(retry.getSpec().getReferences()).isEqualTo(inSpec);
    }
  }

  @Test
  void givenReferencesTheModelOrTheTenantCannotUseThenTheJobIsRefusedAndNothingIsWritten() throws IOException {
    String uploaded = (String) upload("ref-d", "p1", PNG, png(8, 8, Color.BLACK), null).get("referenceId");
    String queued = create("ref-d", ASSET_KEY.formatted(""));
    String othersUpload = (String) upload("ref-other-d", "p1", PNG, png(8, 8, Color.WHITE), null).get("referenceId");
    long jobsBefore = jobsOf("ref-d");

    unusable(",\"references\":[{\"referenceId\":\"" + othersUpload + "\"}]")
        .jsonPath("$.errors[0].field").isEqualTo("references[0]")
        .jsonPath("$.errors[0].message").isEqualTo("no reference image " + othersUpload);
    unusable(",\"references\":[{\"referenceId\":\"" + uploaded + "\"},{\"jobId\":\"" + queued + "\"}]")
        .jsonPath("$.errors[0].field").isEqualTo("references[1]")
        .jsonPath("$.errors[0].message").isEqualTo("job " + queued + " has no image (it is queued)");
    String fifteen = String.join(",", Collections.nCopies(15, "{\"referenceId\":\"" + uploaded + "\"}"));
    unusable(",\"references\":[" + fifteen + "]")
        .jsonPath("$.errors[0].field").isEqualTo("references")
        .jsonPath("$.errors[0].message").isEqualTo("model local-v1 takes at most 14 reference images, not 15");
    as("ref-d").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY.formatted(",\"references\":[{\"referenceId\":\"" + uploaded + "\",\"jobId\":\"" + queued
            + "\"}]"))
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("references[0]");

    assertThat(jobsOf("ref-d")).isEqualTo(jobsBefore);
    as("ref-d").get().uri("/api/v1/images/model").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.model").isEqualTo("local-v1")
        .jsonPath("$.maxReferenceImages").isEqualTo(14)
        .jsonPath("$.referenceTypes").isEqualTo(List.of("image/png", "image/jpeg", "image/webp"))
        .jsonPath("$.edits").isEqualTo(true)
        .jsonPath("$.maxVariants").isEqualTo(4);
  }

  @Test
  void givenAnUploadTheDatabaseRefusesToRecordThenItsBytesAreDeletedAgain() throws IOException {
    jdbc().execute("""
        CREATE FUNCTION refuse_upload() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused for the test'; END $$""");
    jdbc().execute("CREATE TRIGGER refuse_upload BEFORE INSERT ON reference_images FOR EACH ROW"
        + " WHEN (NEW.tenant_id = 'ref-f') EXECUTE FUNCTION refuse_upload()");
    try {
      as("ref-f").post().uri(REFERENCES + "?projectId=p1").contentType(PNG).bodyValue(png(8, 8, Color.PINK))
          .exchange()
          .expectStatus().is5xxServerError();

      Path folder = STORAGE_DIR.resolve("asset-images/tenant_ref-f");
      if (Files.exists(folder)) {
        try (Stream<Path> left = Files.walk(folder)) {
          assertThat(left.filter(Files::isRegularFile)).as("files of the refused upload").isEmpty();
        }
      }
    } finally {
      jdbc().execute("DROP TRIGGER refuse_upload ON reference_images");
      jdbc().execute("DROP FUNCTION refuse_upload()");
    }
  }

  @Test
  void givenADeletedReferenceThenItsBytesAreGoneAndNewJobsCannotNameIt() throws IOException {
    String id = (String) upload("ref-e", "p1", PNG, png(8, 8, Color.ORANGE), null).get("referenceId");
    String path = jdbc().queryForObject("SELECT storage_path FROM reference_images WHERE reference_id = ?",
        String.class, id);
    String body = ASSET_KEY.formatted(",\"references\":[{\"referenceId\":\"" + id + "\"}]");
    String location = as("ref-e").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .header("Idempotency-Key", "ref-e-1").bodyValue(body).exchange()
        .expectStatus().isAccepted()
        .expectBody().returnResult().getResponseHeaders().getLocation().toString();

    as("ref-e").delete().uri(REFERENCES + "/" + id).exchange().expectStatus().isNoContent();

    assertThat(STORAGE_DIR.resolve("asset-images").resolve(path)).doesNotExist();
    as("ref-e").get().uri(REFERENCES + "/" + id).exchange().expectStatus().isNotFound();
    as("ref-e").delete().uri(REFERENCES + "/" + id).exchange().expectStatus().isNotFound();
    as("ref-e").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus().isEqualTo(422);
    // A repeat of the request that named it, with its key, still gets its first answer.
    as("ref-e").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .header("Idempotency-Key", "ref-e-1").bodyValue(body).exchange()
        .expectStatus().isAccepted()
        .expectHeader().valueEquals("Idempotent-Replayed", "true")
        .expectHeader().location(location);
  }

  private org.springframework.test.web.reactive.server.WebTestClient.BodyContentSpec unusable(String references) {
    return as("ref-d").post().uri(JOBS).contentType(MediaType.APPLICATION_JSON)
        .bodyValue(ASSET_KEY.formatted(references))
        .exchange()
        .expectStatus().isEqualTo(422)
        .expectBody().jsonPath("$.title").isEqualTo("Unusable reference images");
  }

  private org.assertj.core.api.AbstractStringAssert<?> refused(String tenant, MediaType type, byte[] body, int status) {
    String detail = as(tenant).post().uri(REFERENCES + "?projectId=p1").contentType(type).bodyValue(body)
        .exchange()
        .expectStatus().isEqualTo(status)
        .expectBody(Map.class).returnResult().getResponseBody().getOrDefault("detail", "").toString();
    return assertThat(detail);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> upload(String tenant, String project, MediaType type, byte[] image, String name) {
    var request = as(tenant).post().uri(REFERENCES + "?projectId=" + project).contentType(type);
    if (name != null) {
      request = request.header("X-File-Name", name);
    }
    return request.bodyValue(image).exchange()
        .expectStatus().isCreated()
        .expectBody(Map.class).returnResult().getResponseBody();
  }

  private String create(String tenant, String body) {
    return createJob(tenant, body);
  }

  /** A job that ran through the pipeline. */
  private String completedJob(String tenant) {
    String jobId = createJob(tenant, ASSET_KEY.formatted(""));
    completeJob(tenant, jobId);
    return jobId;
  }

  private JobRequested requested(String jobId) {
    try (TopicReader lifecycle = reader(Topics.LIFECYCLE)) {
      return codec.decode(lifecycle.await(r -> jobId.equals(r.key())).value()).payload(JobRequested.class);
    }
  }

  private long jobsOf(String tenant) {
    return jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ?", Long.class, tenant);
  }

  private static byte[] png(int width, int height, Color color) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    graphics.setColor(color);
    graphics.fillRect(0, 0, width, height);
    graphics.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The signature and an IHDR chunk declaring {@code width} by {@code height}: enough for the header check. */
  private static byte[] pngHeader(int width, int height) {
    ByteBuffer header = ByteBuffer.allocate(33);
    header.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    header.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height);
    header.put(new byte[] {8, 2, 0, 0, 0}).putInt(0);
    return header.array();
  }
}
