package dev.imagejobs.generation.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocalImageProviderTest {

  @Test
  void givenACallLog_thenEveryCallIsRecordedWhenItStartsAndWhenItEnds(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("calls.log");
    LocalImageProvider provider = new LocalImageProvider(
        new LocalProviderSettings("#fail", Duration.ZERO, 0, 64, LocalProviderSettings.Mode.DRAW, log));

    provider.generate(new GenerationRequest("job-a", 0, 1, "A harbour", "1:1", "1K", "local-v1")).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> provider.generate(new GenerationRequest("job-b", 2, 3, "A storm #fail", "1:1", "1K",
        "local-v1")).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

    long pid = ProcessHandle.current().pid();
    assertThat(Files.readAllLines(log)).containsExactly(
        "start " + pid + " job-a 0 1", "end " + pid + " job-a 0 1 ok",
        "start " + pid + " job-b 2 3", "end " + pid + " job-b 2 3 failed");
  }
  private final LocalImageProvider provider = new LocalImageProvider(
      new LocalProviderSettings("#fail", Duration.ZERO, 0, 256));

  @Test
  void givenTheSamePromptTwice_thenTheBytesAreIdentical() throws Exception {
    assertThat(bytes(generate("A red lighthouse", "1:1"))).isEqualTo(bytes(generate("A red lighthouse", "1:1")));
  }

  @Test
  void givenTwoPrompts_thenThePicturesAreVisiblyDifferent() throws Exception {
    BufferedImage first = decode(bytes(generate("A red lighthouse", "1:1")));
    BufferedImage second = decode(bytes(generate("A blue submarine", "1:1")));
    int differing = 0;
    for (int y = 0; y < first.getHeight(); y += 4) {
      for (int x = 0; x < first.getWidth(); x += 4) {
        if (first.getRGB(x, y) != second.getRGB(x, y)) {
          differing++;
        }
      }
    }
    assertThat(differing).as("sampled pixels that differ").isGreaterThan(64 * 64 / 2);
  }

  @Test
  void givenPromptsDifferingInOneWord_thenTheWrittenExcerptDiffersToo() throws Exception {
    // Same colours and shapes cannot be told apart by eye; the excerpt along the bottom can.
    assertThat(bytes(generate("A harbour at dawn", "16:9"))).isNotEqualTo(bytes(generate("A harbour at dusk", "16:9")));
  }

  @ParameterizedTest
  @CsvSource({"1:1,256,256", "16:9,256,144", "9:16,144,256", "21:9,256,110", "4:3,256,192", "2:3,171,256",
      "3:2,256,171", "3:4,192,256", "4:5,205,256", "5:4,256,205"})
  void givenAnAspectRatio_thenAValidPngOfThoseProportionsIsDrawn(String ratio, int width, int height)
      throws Exception {
    ImageArtifact artifact = generate("A harbour at dawn", ratio);

    BufferedImage image = decode(bytes(artifact));
    assertThat(artifact.contentType()).isEqualTo("image/png");
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
    assertThat(artifact.usage().costMicros()).isZero();
  }

  @Test
  void givenTheDefaults_thenTheLongSideIs1024Pixels() throws Exception {
    LocalImageProvider defaults = new LocalImageProvider(LocalProviderSettings.defaults());

    BufferedImage image = decode(bytes(defaults.generate(request("A wide valley", "16:9")).get(10, TimeUnit.SECONDS)));

    assertThat(image.getWidth()).isEqualTo(1024);
    assertThat(image.getHeight()).isEqualTo(576);
  }

  @Test
  void givenAPromptWithTheFailMarker_thenItFailsPermanently() {
    assertFailure(provider.generate(request("A storm #fail", "1:1")), ErrorClass.PERMANENT, "LOCAL_FAIL_MARKER");
  }

  @Test
  void givenAFailureRateOfOne_thenEveryCallFailsTemporarily() {
    LocalImageProvider failing = new LocalImageProvider(new LocalProviderSettings("", Duration.ZERO, 1.0, 64));

    assertFailure(failing.generate(request("anything", "1:1")), ErrorClass.TEMPORARY, "LOCAL_INJECTED_FAILURE");
  }

  @Test
  void givenTheDefaults_thenNoFailureIsInjected() throws Exception {
    LocalImageProvider defaults = new LocalImageProvider(LocalProviderSettings.defaults());

    assertThat(bytes(defaults.generate(request("A storm #fail", "1:1")).get(10, TimeUnit.SECONDS))).isNotEmpty();
  }

  @Test
  void givenALatency_thenTheCallReturnsAtOnceAndTheImageArrivesLater() {
    LocalImageProvider slow = new LocalImageProvider(new LocalProviderSettings("", Duration.ofMillis(300), 0, 64));

    CompletableFuture<ImageArtifact> image = slow.generate(request("A slow boat", "1:1"));

    assertThat(image).isNotDone();
    await().atMost(Duration.ofSeconds(5)).until(image::isDone);
    assertThat(image).isCompleted();
  }

  @Test
  void givenTheDefaultSettings_thenEveryImageIsDrawnFromItsPrompt() {
    assertThat(LocalProviderSettings.defaults().mode()).isEqualTo(LocalProviderSettings.Mode.DRAW);
    assertThat(new LocalProviderSettings("", null, 0, 0, null).mode()).isEqualTo(LocalProviderSettings.Mode.DRAW);
  }

  @Test
  void givenPrerenderedMode_whenTwoPromptsAskForOneSize_thenBothGetThePictureDrawnOnce() throws Exception {
    LocalImageProvider prerendered = prerendered("#fail", Duration.ZERO, 0);

    byte[] first = bytes(prerendered.generate(request("A red lighthouse", "16:9")).get(10, TimeUnit.SECONDS));
    byte[] second = bytes(prerendered.generate(request("A blue submarine", "16:9")).get(10, TimeUnit.SECONDS));

    assertThat(second).isSameAs(first);
    BufferedImage image = decode(first);
    assertThat(image.getWidth()).isEqualTo(256);
    assertThat(image.getHeight()).isEqualTo(144);
  }

  @Test
  void givenPrerenderedMode_whenTheSizeWasDrawnBefore_thenTheAnswerIsReadyBeforeGenerateReturns() throws Exception {
    LocalImageProvider prerendered = prerendered("", Duration.ZERO, 0);
    prerendered.generate(request("first of its size", "1:1")).get(10, TimeUnit.SECONDS);

    CompletableFuture<ImageArtifact> again = prerendered.generate(request("any other prompt", "1:1"));

    assertThat(again).isCompletedWithValueMatching(artifact -> "image/png".equals(artifact.contentType()));
  }

  @ParameterizedTest
  @CsvSource({"16:9,256,144", "9:16,144,256", "4:3,256,192"})
  void givenPrerenderedMode_thenEachAspectRatioHasAPictureOfItsOwnShape(String ratio, int width, int height)
      throws Exception {
    LocalImageProvider prerendered = prerendered("", Duration.ZERO, 0);

    BufferedImage image = decode(bytes(prerendered.generate(request("A harbour", ratio)).get(10, TimeUnit.SECONDS)));

    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
  }

  @Test
  void givenPrerenderedMode_thenTheFailMarkerTheFailureRateAndMalformedRatiosStillFail() {
    assertFailure(prerendered("#fail", Duration.ZERO, 0).generate(request("A storm #fail", "1:1")),
        ErrorClass.PERMANENT, "LOCAL_FAIL_MARKER");
    assertFailure(prerendered("", Duration.ZERO, 1.0).generate(request("anything", "1:1")),
        ErrorClass.TEMPORARY, "LOCAL_INJECTED_FAILURE");
    assertFailure(prerendered("", Duration.ZERO, 0).generate(request("anything", "wide")),
        ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO");
    assertFailure(prerendered("#fail", Duration.ofMillis(50), 0).generate(request("A storm #fail", "1:1")),
        ErrorClass.PERMANENT, "LOCAL_FAIL_MARKER");
  }

  @Test
  void givenPrerenderedModeWithALatency_thenTheCallReturnsAtOnceAndTheImageArrivesLater() throws Exception {
    LocalImageProvider slow = prerendered("", Duration.ofMillis(300), 0);
    slow.generate(request("drawn already", "1:1")).get(10, TimeUnit.SECONDS);

    CompletableFuture<ImageArtifact> image = slow.generate(request("A slow boat", "1:1"));

    assertThat(image).isNotDone();
    await().atMost(Duration.ofSeconds(5)).until(image::isDone);
    assertThat(image).isCompleted();
  }

  @ParameterizedTest
  @ValueSource(strings = {"wide", "0:1", "16:", "a:b", "-4:3"})
  void givenAMalformedAspectRatio_thenItFailsPermanently(String ratio) {
    assertFailure(provider.generate(request("x", ratio)), ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO");
  }

  private static LocalImageProvider prerendered(String failMarker, Duration latency, double failureRate) {
    return new LocalImageProvider(new LocalProviderSettings(failMarker, latency, failureRate, 256,
        LocalProviderSettings.Mode.PRERENDERED));
  }

  private ImageArtifact generate(String prompt, String ratio) throws Exception {
    return provider.generate(request(prompt, ratio)).get(10, TimeUnit.SECONDS);
  }

  private static void assertFailure(CompletableFuture<ImageArtifact> call, ErrorClass errorClass, String code) {
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.errorClass()).isEqualTo(errorClass);
          assertThat(e.code()).isEqualTo(code);
        });
  }

  private static GenerationRequest request(String prompt, String ratio) {
    return new GenerationRequest("job-1", 0, 1, prompt, ratio, "1K", "local-v1");
  }

  private static byte[] bytes(ImageArtifact artifact) {
    return ((ImageArtifact.Bytes) artifact).content();
  }

  private static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("decodable by ImageIO").isNotNull();
    return image;
  }
}
