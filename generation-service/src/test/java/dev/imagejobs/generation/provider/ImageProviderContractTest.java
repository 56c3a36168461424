package dev.imagejobs.generation.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.testing.ReferenceImages;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What every {@link ImageProvider} promises, written once and run against each implementation (as
 * the storage module does for every {@code BlobStore}): a decodable PNG of the requested shape, a
 * picture that depends on the prompt, an image for an edit too, a future returned without waiting
 * for the image, and a classified, final failure for a prompt the provider refuses.
 */
public abstract class ImageProviderContractTest {
  /** A prompt containing this text must be refused: subclasses configure their provider so. */
  protected static final String REFUSED_MARKER = "#refuse-me";
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

  /** The provider under test, answering promptly. */
  protected abstract ImageProvider provider();

  /** The same provider, taking {@code latency} for every image. */
  protected abstract ImageProvider providerAnsweringAfter(Duration latency);

  /** The model id to put in requests. */
  protected abstract String model();

  @Test
  void givenTheProvider_thenItHasAName() {
    assertThat(provider().name()).isNotBlank();
  }

  @ParameterizedTest
  @CsvSource({"1:1", "16:9", "9:16", "4:3", "3:2"})
  void givenAnAspectRatio_thenTheImageIsADecodablePngOfThatShape(String ratio) throws Exception {
    ImageArtifact artifact = generate(provider(), "A lighthouse on a cliff", ratio);

    BufferedImage image = decode(bytesOf(artifact));
    String[] sides = ratio.split(":");
    assertThat(artifact.contentType()).isEqualTo("image/png");
    assertThat((double) image.getWidth() / image.getHeight())
        .isCloseTo(Double.parseDouble(sides[0]) / Double.parseDouble(sides[1]), Offset.offset(0.03));
  }

  @Test
  void givenTwoPrompts_thenTheImagesDiffer() throws Exception {
    byte[] first = bytesOf(generate(provider(), "A red lighthouse", "1:1"));
    byte[] second = bytesOf(generate(provider(), "A blue submarine", "1:1"));

    decode(first);
    decode(second);
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void givenReferenceImages_thenAnImageOfTheRequestedShapeStillComes() throws Exception {
    GenerationRequest request = new GenerationRequest("job-contract", 0, 1, "The same lighthouse at night", "16:9",
        "1K", model(), List.of(new ReferenceInput("image/png", ReferenceImages.solidPng(8, 8, Color.RED)),
            new ReferenceInput("image/jpeg", ReferenceImages.solidJpeg(8, 8, Color.BLUE))));

    BufferedImage image = decode(bytesOf(provider().generate(request).get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS)));

    assertThat((double) image.getWidth() / image.getHeight()).isCloseTo(16 / 9.0, Offset.offset(0.03));
  }

  @Test
  void givenAnEditWithAMask_thenAnImageOfTheRequestedShapeStillComes() throws Exception {
    ReferenceInput source = new ReferenceInput("image/png", ReferenceImages.solidPng(32, 18, Color.RED));
    ReferenceInput mask = new ReferenceInput("image/png", ReferenceImages.mask(32, 18, new Rectangle(0, 0, 16, 18)));
    GenerationRequest request = new GenerationRequest("job-contract", 0, 1, "Paint the left half blue", "16:9", "1K",
        model(), List.of(source), new EditInput(source, mask));

    BufferedImage image = decode(bytesOf(provider().generate(request).get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS)));

    assertThat((double) image.getWidth() / image.getHeight()).isCloseTo(16 / 9.0, Offset.offset(0.03));
  }

  @Test
  void givenAnImage_thenItsUsageIsReported() throws Exception {
    ImageArtifact artifact = generate(provider(), "A quiet harbour", "1:1");

    assertThat(artifact.usage()).isNotNull();
    assertThat(artifact.usage().costMicros()).isNotNegative();
  }

  @Test
  void givenASlowProvider_thenTheCallReturnsAtOnceAndTheImageArrivesLater() {
    Duration latency = Duration.ofMillis(1500);
    ImageProvider slow = providerAnsweringAfter(latency);

    long started = System.nanoTime();
    CompletableFuture<ImageArtifact> image = slow.generate(request("A slow boat", "1:1"));
    Duration returnedAfter = Duration.ofNanos(System.nanoTime() - started);

    assertThat(returnedAfter).isLessThan(latency.dividedBy(2));
    assertThat(image).isNotDone();
    await().atMost(ANSWER_WITHIN).until(image::isDone);
    assertThat(image).isCompletedWithValueMatching(artifact -> bytesOf(artifact).length > 0);
  }

  @Test
  void givenARefusedPrompt_thenTheFutureFailsWithAClassifiedFinalError() {
    CompletableFuture<ImageArtifact> call = provider().generate(request("A storm " + REFUSED_MARKER, "1:1"));

    assertThatThrownBy(() -> call.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.errorClass()).isIn(ErrorClass.PERMANENT, ErrorClass.CONTENT_BLOCKED);
          assertThat(e.code()).isNotBlank();
          assertThat(e.getMessage()).isNotBlank();
          assertThat(e.retryable()).isFalse();
        });
  }

  protected GenerationRequest request(String prompt, String ratio) {
    return new GenerationRequest("job-contract", 0, 1, prompt, ratio, "1K", model(), List.of());
  }

  private ImageArtifact generate(ImageProvider provider, String prompt, String ratio) throws Exception {
    return provider.generate(request(prompt, ratio)).get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
  }

  /** The image's bytes, whichever form the provider answered in (URLs are out of the contract's reach). */
  protected static byte[] bytesOf(ImageArtifact artifact) {
    if (artifact instanceof ImageArtifact.Bytes bytes) {
      return bytes.content();
    }
    if (artifact instanceof ImageArtifact.Base64 base64) {
      return java.util.Base64.getDecoder().decode(base64.data());
    }
    return fail("The contract reads images from bytes or base64, got " + artifact);
  }

  private static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("decodable by ImageIO").isNotNull();
    return image;
  }
}
