package dev.imagejobs.generation.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.generation.testing.ReferenceImages;
import java.awt.Color;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    provider.generate(new GenerationRequest("job-a", 0, 1, "A harbour", "1:1", "1K", "local-v1", List.of())).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> provider.generate(new GenerationRequest("job-b", 2, 3, "A storm #fail", "1:1", "1K",
        "local-v1", List.of())).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

    provider.generate(new GenerationRequest("job-c", 0, 2, "A harbour", "1:1", "1K", "local-v1", List.of(), null, 3))
        .get(10, TimeUnit.SECONDS);

    long pid = ProcessHandle.current().pid();
    assertThat(Files.readAllLines(log)).containsExactly(
        "start " + pid + " job-a 0 1", "end " + pid + " job-a 0 1 ok",
        "start " + pid + " job-b 2 3", "end " + pid + " job-b 2 3 failed",
        "start " + pid + " job-c 0 2/3", "end " + pid + " job-c 0 2/3 ok");
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
  void givenTheVariantsOfOneRequest_thenEachIsAnotherPictureAndTheSameVariantTheSamePicture() throws Exception {
    LocalImageProvider drawing = new LocalImageProvider(new LocalProviderSettings("", Duration.ZERO, 0, 64));
    LocalImageProvider prerendered = prerendered("", Duration.ZERO, 0);
    for (LocalImageProvider provider : List.of(drawing, prerendered)) {
      byte[] first = bytes(provider.generate(variant(1)).get(10, TimeUnit.SECONDS));
      byte[] second = bytes(provider.generate(variant(2)).get(10, TimeUnit.SECONDS));

      assertThat(second).isNotEqualTo(first);
      assertThat(bytes(provider.generate(variant(2)).get(10, TimeUnit.SECONDS))).isEqualTo(second);
    }
  }

  private static GenerationRequest variant(int variant) {
    return new GenerationRequest("job-v", 0, 1, "A harbour at dawn", "16:9", null, "local-v1", List.of(), null,
        variant);
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

  @Test
  void givenTwoReferencesOfDistinctColours_thenTheStripAlongTheTopShowsThemInOrder() throws Exception {
    BufferedImage image = decode(bytes(provider.generate(request("A harbour", "16:9",
        reference(ReferenceImages.solidPng(8, 8, Color.RED)), reference(ReferenceImages.solidPng(12, 6, Color.BLUE))))
        .get(10, TimeUnit.SECONDS)));

    List<Rectangle> boxes = ReferenceStrip.layout(2, 256, 144);
    assertThat(boxes).extracting(box -> box.y).containsOnly(boxes.get(0).y);
    assertThat(boxes.get(0).x).isLessThan(boxes.get(1).x);
    assertThat(boxes.get(0).height).as("a fifth of the height").isEqualTo(144 / 5);
    assertThat(colourAt(image, centre(boxes.get(0)))).isEqualTo(Color.RED);
    // A wide image is letterboxed in its square: its colour fills the middle row.
    assertThat(colourAt(image, centre(boxes.get(1)))).isEqualTo(Color.BLUE);
  }

  @Test
  void givenAJpegReference_thenItIsDecodedIntoItsThumbnail() throws Exception {
    BufferedImage image = decode(bytes(provider.generate(request("A harbour", "1:1",
        new ReferenceInput("image/jpeg", ReferenceImages.solidJpeg(16, 16, Color.GREEN)))).get(10, TimeUnit.SECONDS)));

    Color thumbnail = colourAt(image, centre(ReferenceStrip.layout(1, 256, 256).get(0)));
    assertThat(thumbnail.getGreen()).isGreaterThan(230);
    assertThat(thumbnail.getRed() + thumbnail.getBlue()).as("JPEG is lossy, but not that lossy").isLessThan(40);
  }

  @Test
  void givenAWebpReference_thenAGreyPlaceholderLabelledWebpTakesItsPlace() throws Exception {
    BufferedImage image = decode(bytes(provider.generate(request("A harbour", "1:1",
        reference(ReferenceImages.solidPng(8, 8, Color.RED)), new ReferenceInput("image/webp", ReferenceImages.webp())))
        .get(10, TimeUnit.SECONDS)));

    Rectangle tile = ReferenceStrip.layout(2, 256, 256).get(1);
    assertThat(ReferenceStrip.label("image/webp")).isEqualTo("WEBP");
    assertThat(count(image, tile, ReferenceStrip.PLACEHOLDER)).as("grey fill").isGreaterThan(tile.width * tile.height / 3);
    assertThat(count(image, tile, Color.WHITE)).as("the label").isGreaterThan(20);
    assertThat(colourAt(image, centre(ReferenceStrip.layout(2, 256, 256).get(0)))).isEqualTo(Color.RED);
  }

  @Test
  void givenNoReferences_thenThePictureIsThePromptsAloneAndReferencesOnlyAddTheStrip() throws Exception {
    byte[] without = bytes(generate("A red lighthouse", "16:9"));
    BufferedImage with = decode(bytes(provider.generate(request("A red lighthouse", "16:9",
        reference(ReferenceImages.solidPng(8, 8, Color.RED)))).get(10, TimeUnit.SECONDS)));

    assertThat(without).isEqualTo(PromptPainter.paint("A red lighthouse", 256, 144));
    BufferedImage plain = decode(without);
    Rectangle framed = ReferenceStrip.layout(1, 256, 144).get(0);
    framed.grow(1, 1);
    int differing = 0;
    for (int y = 0; y < 144; y++) {
      for (int x = 0; x < 256; x++) {
        if (!framed.contains(x, y) && plain.getRGB(x, y) != with.getRGB(x, y)) {
          differing++;
        }
      }
    }
    assertThat(differing).as("pixels changed outside the thumbnail and its frame").isZero();
  }

  @Test
  void givenPrerenderedModeAndReferences_thenTheyAreDrawnOnACopyOfTheSharedPicture() throws Exception {
    LocalImageProvider prerendered = prerendered("", Duration.ZERO, 0);
    byte[] shared = bytes(prerendered.generate(request("first", "16:9")).get(10, TimeUnit.SECONDS));

    BufferedImage composed = decode(bytes(prerendered.generate(request("second", "16:9",
        reference(ReferenceImages.solidPng(8, 8, Color.RED)), reference(ReferenceImages.solidPng(8, 8, Color.BLUE))))
        .get(10, TimeUnit.SECONDS)));
    byte[] again = bytes(prerendered.generate(request("third", "16:9")).get(10, TimeUnit.SECONDS));

    List<Rectangle> boxes = ReferenceStrip.layout(2, 256, 144);
    assertThat(colourAt(composed, centre(boxes.get(0)))).isEqualTo(Color.RED);
    assertThat(colourAt(composed, centre(boxes.get(1)))).isEqualTo(Color.BLUE);
    assertThat(colourAt(decode(shared), centre(boxes.get(0)))).isNotEqualTo(Color.RED);
    assertThat(again).as("the shared picture is untouched").isSameAs(shared);
  }

  @Test
  void givenManyReferencesOnASmallPicture_thenTheirThumbnailsShrinkToFitItsWidth() {
    List<Rectangle> boxes = ReferenceStrip.layout(14, 64, 36);

    assertThat(boxes).hasSize(14);
    assertThat(boxes.get(13).x + boxes.get(13).width).isLessThanOrEqualTo(64);
    assertThat(boxes).allSatisfy(box -> assertThat(box.width).isPositive().isEqualTo(box.height));
  }

  @Test
  void givenAnEditWithAMask_thenTheInstructionIsPaintedInsideTheMaskAndTheSourceIsLeftAloneOutside() throws Exception {
    ReferenceInput source = reference(ReferenceImages.solidPng(64, 36, Color.BLUE));
    EditInput edit = new EditInput(source, reference(ReferenceImages.mask(64, 36, new Rectangle(0, 0, 32, 36))));

    BufferedImage image = decode(bytes(provider.generate(new GenerationRequest("job-1", 0, 1, "Paint a red sun", "16:9",
        "1K", "local-v1", List.of(source), edit)).get(10, TimeUnit.SECONDS)));

    assertThat(image.getWidth()).as("the provider's own size for the ratio").isEqualTo(256);
    Rectangle inside = new Rectangle(0, 0, 128, 144);
    Rectangle outside = new Rectangle(128, 0, 128, 144);
    assertThat(count(image, outside, Color.BLUE)).as("outside: the source").isEqualTo(128 * 144);
    assertThat(count(image, inside, Color.BLUE)).as("inside: tinted").isZero();
    assertThat(count(image, inside, Color.WHITE)).as("inside: the instruction's words").isGreaterThan(50);
    BufferedImage another = decode(bytes(provider.generate(new GenerationRequest("job-1", 0, 1, "Paint a green moon",
        "16:9", "1K", "local-v1", List.of(source), edit)).get(10, TimeUnit.SECONDS)));
    assertThat(colourAt(image, new Point(10, 10))).as("another instruction, another tint")
        .isNotEqualTo(colourAt(another, new Point(10, 10)));
  }

  @Test
  void givenAnEditWithoutAMaskInPrerenderedMode_thenTheWholeSourceIsPaintedOver() throws Exception {
    ReferenceInput source = reference(ReferenceImages.solidPng(64, 64, Color.BLUE));
    GenerationRequest request = new GenerationRequest("job-1", 0, 1, "Make it night", "1:1", "1K", "local-v1",
        List.of(source, reference(ReferenceImages.solidPng(8, 8, Color.RED))), new EditInput(source, null));

    BufferedImage image = decode(bytes(prerendered("", Duration.ZERO, 0).generate(request).get(10, TimeUnit.SECONDS)));

    assertThat(count(image, new Rectangle(0, 0, 256, 256), Color.BLUE)).isZero();
    Color underTheTint = colourAt(image, new Point(200, 20));
    assertThat(underTheTint.getBlue()).as("the source shows through the tint").isGreaterThan(0);
    assertThat(colourAt(image, centre(ReferenceStrip.layout(1, 256, 256).get(0))))
        .as("the other reference, in the strip").isEqualTo(Color.RED);
  }

  private static ReferenceInput reference(byte[] png) {
    return new ReferenceInput("image/png", png);
  }

  private static Point centre(Rectangle box) {
    return new Point(box.x + box.width / 2, box.y + box.height / 2);
  }

  private static Color colourAt(BufferedImage image, Point point) {
    return new Color(image.getRGB(point.x, point.y));
  }

  private static int count(BufferedImage image, Rectangle box, Color colour) {
    int found = 0;
    for (int y = box.y; y < box.y + box.height; y++) {
      for (int x = box.x; x < box.x + box.width; x++) {
        found += image.getRGB(x, y) == colour.getRGB() ? 1 : 0;
      }
    }
    return found;
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

  private static GenerationRequest request(String prompt, String ratio, ReferenceInput... references) {
    return new GenerationRequest("job-1", 0, 1, prompt, ratio, "1K", "local-v1", List.of(references));
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
