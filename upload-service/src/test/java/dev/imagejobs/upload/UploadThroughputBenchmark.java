package dev.imagejobs.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.testing.ThroughputMeter;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * How many jobs per second the upload service takes from {@code ImageGenerated} to
 * {@code JobCompleted}, against the embedded broker and a filesystem store; each job's image (a
 * 1024x576 PNG of about 130 KB, a little larger than the local provider's) is staged before the
 * clock starts. Not part of {@code verify}; run it on its own, for example
 *
 * <pre>
 * ./mvnw -B -o verify -pl upload-service -am -Djacoco.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=UploadThroughputBenchmark -Dbenchmark.jobs=3000
 * </pre>
 *
 * and add {@code -DargLine=-XX:StartFlightRecording=filename=upload.jfr,settings=profile} for a profile.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "imagejobs.topics.partitions=6")
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadThroughputBenchmark {
  private static final Logger log = LoggerFactory.getLogger(UploadThroughputBenchmark.class);
  private static Path storage;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) throws Exception {
    storage = Files.createTempDirectory("upload-benchmark");
    registry.add("imagejobs.storage.dir", storage::toString);
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired BlobStore store;

  private final byte[] png = picture(1024, 576);

  @AfterAll
  void deleteStorage() {
    FileSystemUtils.deleteRecursively(storage.toFile());
  }

  @Test
  void jobsPerSecondFromImageGeneratedToJobCompleted() {
    int warmup = Integer.getInteger("benchmark.warmup", 300);
    int jobs = Integer.getInteger("benchmark.jobs", 2000);
    int rounds = Integer.getInteger("benchmark.rounds", 3);
    log.info("Staged image: {} bytes", png.length);
    try (ThroughputMeter meter = new ThroughputMeter(broker.getBrokersAsString())) {
      log.info("Warm-up: {}", meter.measure(staged(warmup), EventType.JOB_COMPLETED, Duration.ofMinutes(10)));
      for (int round = 1; round <= rounds; round++) {
        ThroughputMeter.Result result = meter.measure(staged(jobs), EventType.JOB_COMPLETED, Duration.ofMinutes(10));
        log.info("Upload round {}: {}", round, result);
        assertThat(result.jobs()).isEqualTo(jobs);
      }
    }
  }

  /** Stages an image per job, as the generation service would, and returns their announcements. */
  private List<ImageGenerated> staged(int count) {
    List<ImageGenerated> announcements = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String jobId = UUID.randomUUID().toString();
      BlobPath path = BlobPath.of("staging", jobId, "attempt-1.png");
      store.putIfAbsent(path, png, new BlobMetadata("image/png", "private, no-store", Map.of("jobId", jobId)));
      announcements.add(TestImages.anImageGenerated(jobId, path.value(), png).setWidth(1024).setHeight(576).build());
    }
    return announcements;
  }

  /** A gradient with a shape and some grain, so that it compresses about as badly as a drawn picture. */
  private static byte[] picture(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(0x2E, 0x86, 0xAB), width, height, new Color(0xF2, 0x9E, 0x4C)));
    g.fillRect(0, 0, width, height);
    g.setColor(new Color(255, 255, 255, 120));
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    Random grain = new Random(42);
    for (int y = 0; y < height; y += 8) {
      for (int x = 0; x < width; x += 8) {
        image.setRGB(x, y, image.getRGB(x, y) ^ grain.nextInt(8));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }
}
