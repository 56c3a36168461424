package dev.imagejobs.generation.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LocalImageProviderTest {
  private final LocalImageProvider provider = new LocalImageProvider(
      new LocalProviderSettings("#fail", Duration.ZERO, 0, 256));

  @Test
  void samePromptGivesIdenticalBytes() {
    assertThat(bytes(generate("A red lighthouse", "1:1"))).isEqualTo(bytes(generate("A red lighthouse", "1:1")));
  }

  @Test
  void differentPromptsGiveVisiblyDifferentPictures() throws IOException {
    BufferedImage first = ImageIO.read(new ByteArrayInputStream(bytes(generate("A red lighthouse", "1:1"))));
    BufferedImage second = ImageIO.read(new ByteArrayInputStream(bytes(generate("A blue submarine", "1:1"))));
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

  @ParameterizedTest
  @CsvSource({"1:1,256,256", "16:9,256,144", "9:16,144,256", "21:9,256,110", "4:3,256,192", "2:3,171,256"})
  void drawsAValidPngAtTheRequestedAspectRatio(String ratio, int width, int height) throws IOException {
    ImageArtifact artifact = generate("A harbour at dawn", ratio);

    BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(artifact)));
    assertThat(artifact.contentType()).isEqualTo("image/png");
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
    assertThat(artifact.usage().costMicros()).isZero();
  }

  @Test
  void failsPermanentlyForAPromptWithTheMarker() {
    assertThatThrownBy(() -> generate("A storm #fail", "1:1"))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(e.code()).isEqualTo("LOCAL_FAIL_MARKER");
        });
  }

  @Test
  void failsTemporarilyAtTheConfiguredRate() {
    LocalImageProvider alwaysFailing = new LocalImageProvider(new LocalProviderSettings("", Duration.ZERO, 1.0, 64));
    assertThatThrownBy(() -> alwaysFailing.generate(request("anything", "1:1")))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.TEMPORARY));
  }

  @Test
  void knobsAreOffByDefault() {
    LocalImageProvider defaults = new LocalImageProvider(LocalProviderSettings.defaults());
    assertThat(bytes(defaults.generate(request("A storm #fail", "1:1")))).isNotEmpty();
  }

  @Test
  void refusesAMalformedAspectRatio() {
    assertThatThrownBy(() -> generate("x", "wide")).isInstanceOf(ProviderException.class);
    assertThatThrownBy(() -> generate("x", "0:1")).isInstanceOf(ProviderException.class);
  }

  private ImageArtifact generate(String prompt, String ratio) {
    return provider.generate(request(prompt, ratio));
  }

  private static GenerationRequest request(String prompt, String ratio) {
    return new GenerationRequest("job-1", 1, prompt, ratio, "1K", "local-v1");
  }

  private static byte[] bytes(ImageArtifact artifact) {
    return ((ImageArtifact.Bytes) artifact).content();
  }
}
