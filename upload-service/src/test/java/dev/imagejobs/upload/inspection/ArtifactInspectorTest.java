package dev.imagejobs.upload.inspection;

import static dev.imagejobs.upload.TestImages.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.upload.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class ArtifactInspectorTest {

  private final ArtifactInspector inspector = new ArtifactInspector(InspectionSettings.defaults());

  @Test
  void givenARealPng_whenInspected_thenFormatSizeDimensionsAndChecksumAreMeasured() {
    byte[] png = TestImages.png(160, 90);

    InspectedImage image = inspector.inspect(png, "image/png", "16:9", sha256(png));

    assertThat(image).isEqualTo(new InspectedImage(ImageFormat.PNG, 160, 90, png.length, sha256(png)));
  }

  @Test
  void givenARealJpeg_whenInspected_thenDimensionsComeFromItsFrameHeader() {
    byte[] jpeg = TestImages.jpeg(90, 160);

    InspectedImage image = inspector.inspect(jpeg, "image/jpeg", "9:16", sha256(jpeg));

    assertThat(image.format()).isEqualTo(ImageFormat.JPEG);
    assertThat(image.width()).isEqualTo(90);
    assertThat(image.height()).isEqualTo(160);
  }

  @Test
  void givenWebpHeadersOfEachKind_whenInspected_thenDimensionsAreRead() {
    for (byte[] webp : new byte[][] {
        TestImages.webpVp8x(1600, 900), TestImages.webpVp8l(1600, 900), TestImages.webpVp8(1600, 900)}) {
      InspectedImage image = inspector.inspect(webp, "image/webp", "16:9", sha256(webp));

      assertThat(image.format()).isEqualTo(ImageFormat.WEBP);
      assertThat(image.width()).isEqualTo(1600);
      assertThat(image.height()).isEqualTo(900);
    }
  }

  @Test
  void givenJpegBytesDeclaredAsPng_whenInspected_thenRejectedForTheMagicBytes() {
    byte[] jpeg = TestImages.jpeg(160, 90);

    assertThatThrownBy(() -> inspector.inspect(jpeg, "image/png", "16:9", sha256(jpeg)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("Declared image/png but the bytes are a JPEG image");
  }

  @Test
  void givenEachFormatDeclaredAsAnother_whenInspected_thenRejectedForTheMagicBytes() {
    byte[] png = TestImages.png(160, 90);
    byte[] jpeg = TestImages.jpeg(160, 90);
    byte[] webp = TestImages.webpVp8x(1600, 900);

    assertThatThrownBy(() -> inspector.inspect(png, "image/jpeg", "16:9", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("Declared image/jpeg but the bytes are a PNG image");
    assertThatThrownBy(() -> inspector.inspect(webp, "image/png", "16:9", sha256(webp)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("Declared image/png but the bytes are a WEBP image");
    assertThatThrownBy(() -> inspector.inspect(jpeg, "image/webp", "16:9", sha256(jpeg)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("Declared image/webp but the bytes are a JPEG image");
  }

  @Test
  void givenRiffBytesThatAreNotWebp_whenInspected_thenRejectedForTheMagicBytes() {
    byte[] wave = TestImages.webpVp8x(1600, 900);
    System.arraycopy("WAVE".getBytes(StandardCharsets.US_ASCII), 0, wave, 8, 4);

    assertThatThrownBy(() -> inspector.inspect(wave, "image/webp", "16:9", sha256(wave)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The bytes are not a PNG, JPEG or WebP image although image/webp was declared");
  }

  @Test
  void givenBytesOfNoImageFormat_whenInspected_thenRejectedForTheMagicBytes() {
    byte[] text = "<html>not an image</html>".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> inspector.inspect(text, "image/png", "16:9", sha256(text)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The bytes are not a PNG, JPEG or WebP image although image/png was declared");
  }

  @Test
  void givenAnUnsupportedDeclaredType_whenInspected_thenRejected() {
    byte[] png = TestImages.png(160, 90);

    assertThatThrownBy(() -> inspector.inspect(png, "image/gif", "16:9", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessageContaining("Unsupported content type 'image/gif'");
  }

  @Test
  void givenAChecksumThatDoesNotMatch_whenInspected_thenRejectedForTheChecksum() {
    byte[] png = TestImages.png(160, 90);
    String other = sha256(TestImages.png(160, 91));

    assertThatThrownBy(() -> inspector.inspect(png, "image/png", "16:9", other))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("SHA-256 of the staged bytes is " + sha256(png) + " but " + other + " was announced");
  }

  @Test
  void givenAnUpperCaseChecksum_whenInspected_thenAccepted() {
    byte[] png = TestImages.png(160, 90);

    assertThat(inspector.inspect(png, "image/png", "16:9", sha256(png).toUpperCase()).sha256()).isEqualTo(sha256(png));
  }

  @Test
  void givenASquareImageForA16by9Job_whenInspected_thenRejectedForTheRatio() {
    byte[] png = TestImages.png(100, 100);

    assertThatThrownBy(() -> inspector.inspect(png, "image/png", "16:9", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The image is 100x100 (ratio 1.000) but the job asked for 16:9 (1.778), beyond the 4.0% tolerance");
  }

  @Test
  void givenAProviderSizeOffTheExactRatio_whenInspected_thenAcceptedWithinTheDefaultTolerance() {
    byte[] wide = TestImages.webpVp8x(1344, 768); // 1.750 vs 1.778 for 16:9: 1.6% off
    byte[] standard = TestImages.webpVp8x(1184, 864); // 1.370 vs 1.333 for 4:3: 2.8% off

    assertThat(inspector.inspect(wide, "image/webp", "16:9", sha256(wide)).width()).isEqualTo(1344);
    assertThat(inspector.inspect(standard, "image/webp", "4:3", sha256(standard)).height()).isEqualTo(864);
  }

  @Test
  void givenARatioJustInsideOrOutsideFourPercent_whenInspected_thenTheDefaultToleranceDecides() {
    byte[] inside = TestImages.webpVp8x(1385, 1000); // 1.385 vs 1.333 for 4:3: 3.9% off
    byte[] outside = TestImages.webpVp8x(1400, 1000); // 1.400 vs 1.333: 5% off
    byte[] outsideBelow = TestImages.webpVp8x(1266, 1000); // 1.266 vs 1.333: 5% off

    assertThat(inspector.inspect(inside, "image/webp", "4:3", sha256(inside)).width()).isEqualTo(1385);
    assertThatThrownBy(() -> inspector.inspect(outside, "image/webp", "4:3", sha256(outside)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The image is 1400x1000 (ratio 1.400) but the job asked for 4:3 (1.333), beyond the 4.0% tolerance");
    assertThatThrownBy(() -> inspector.inspect(outsideBelow, "image/webp", "4:3", sha256(outsideBelow)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessageContaining("beyond the 4.0% tolerance");
  }

  @Test
  void givenAStricterConfiguredTolerance_whenInspected_thenItIsApplied() {
    byte[] standard = TestImages.webpVp8x(1184, 864); // 2.8% off 4:3

    ArtifactInspector strict = new ArtifactInspector(new InspectionSettings(DataSize.ofMegabytes(20), 0.02));

    assertThatThrownBy(() -> strict.inspect(standard, "image/webp", "4:3", sha256(standard)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessageContaining("beyond the 2.0% tolerance");
  }

  @Test
  void givenAMalformedAspectRatio_whenInspected_thenRejected() {
    byte[] png = TestImages.png(160, 90);

    assertThatThrownBy(() -> inspector.inspect(png, "image/png", "wide", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessageContaining("'wide'");
    assertThatThrownBy(() -> inspector.inspect(png, "image/png", "16:0", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class);
  }

  @Test
  void givenAnImageOverTheSizeLimit_whenInspected_thenRejectedForItsSize() {
    byte[] png = TestImages.png(160, 90);
    ArtifactInspector strict = new ArtifactInspector(new InspectionSettings(DataSize.ofBytes(png.length - 1), 0.02));
    ArtifactInspector exact = new ArtifactInspector(new InspectionSettings(DataSize.ofBytes(png.length), 0.02));

    assertThatThrownBy(() -> strict.inspect(png, "image/png", "16:9", sha256(png)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The image has " + png.length + " bytes, more than the limit of " + (png.length - 1) + " bytes");
    assertThat(exact.inspect(png, "image/png", "16:9", sha256(png)).sizeBytes()).isEqualTo(png.length);
  }

  @Test
  void givenTheDefaults_thenTheLimitIs20MiBAndTheToleranceFourPercent() {
    assertThat(InspectionSettings.defaults().maxSize().toBytes()).isEqualTo(20L * 1024 * 1024);
    assertThat(InspectionSettings.defaults().aspectRatioTolerance()).isEqualTo(0.04);
  }

  @Test
  void givenAnEmptyArtifact_whenInspected_thenRejected() {
    assertThatThrownBy(() -> inspector.inspect(new byte[0], "image/png", "16:9", sha256(new byte[0])))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessage("The staged artifact is empty");
  }

  @Test
  void givenTruncatedOrMalformedHeaders_whenInspected_thenRejectedForTheDimensions() {
    byte[] pngSignatureOnly = Arrays.copyOf(TestImages.png(160, 90), 16);
    byte[] jpegWithoutFrame = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9};
    byte[] webpUnknownChunk = TestImages.webpVp8x(1600, 900);
    webpUnknownChunk[15] = 'Z';
    byte[] webpZeroSized = TestImages.webpVp8(0, 0);

    assertRejectedForDimensions(pngSignatureOnly, "image/png");
    assertRejectedForDimensions(jpegWithoutFrame, "image/jpeg");
    assertRejectedForDimensions(webpUnknownChunk, "image/webp");
    assertRejectedForDimensions(webpZeroSized, "image/webp");
  }

  private void assertRejectedForDimensions(byte[] content, String contentType) {
    assertThatThrownBy(() -> inspector.inspect(content, contentType, "16:9", sha256(content)))
        .isInstanceOf(ArtifactRejectedException.class)
        .hasMessageStartingWith("Cannot read the dimensions");
  }
}
