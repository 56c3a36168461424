package dev.imagejobs.generation.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PromptPainterTest {

  @Test
  void givenAShortPrompt_thenTheExcerptIsTheWholePromptInCapitals() {
    assertThat(PromptPainter.excerpt("A red  lighthouse\n at dawn", 40, 2)).containsExactly("A RED LIGHTHOUSE AT DAWN");
  }

  @Test
  void givenALongPrompt_thenItIsWrappedAtWordsAndEndsWithAnEllipsis() {
    assertThat(PromptPainter.excerpt("A lighthouse keeper with a red scarf walks along the pier at dawn", 20, 2))
        .containsExactly("A LIGHTHOUSE KEEPER", "WITH A RED SCARF...");
  }

  @Test
  void givenAWordLongerThanALine_thenItIsCut() {
    assertThat(PromptPainter.excerpt("Supercalifragilistic", 8, 3)).containsExactly("SUPERCAL", "IFRAGILI", "STIC");
  }

  @Test
  void givenAccentsAndSymbols_thenAccentsAreDroppedAndUnknownCharactersKept() {
    assertThat(PromptPainter.excerpt("Café — 東京", 40, 2)).containsExactly("CAFE — 東京");
    assertThat(BitmapFont.canDraw('e')).isTrue();
    assertThat(BitmapFont.canDraw('東')).isFalse();
  }

  @Test
  void givenAnEmptyPromptOrATinyImage_thenNothingIsWritten() {
    assertThat(PromptPainter.excerpt("   ", 40, 2)).isEmpty();
    assertThat(PromptPainter.excerpt("A red lighthouse", 3, 2)).isEmpty();
  }

  @Test
  void givenAPrompt_thenItsExcerptIsWrittenOnABandAlongTheBottom() throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(PromptPainter.paint("HHHH", 320, 320)));

    // Scale 2 and padding 6: the first H's left stem spans x 6..7 from y 8 down, on a darkened band.
    int bandTop = 320 - (BitmapFont.CELL_HEIGHT * 2 + 12);
    int glyphTop = bandTop + 6 + 2;
    assertThat(brightness(image.getRGB(6, glyphTop))).isGreaterThan(brightness(image.getRGB(8, glyphTop)));
    assertThat(brightness(image.getRGB(6, glyphTop + 12))).isGreaterThan(brightness(image.getRGB(8, glyphTop + 12)));
  }

  private static int brightness(int rgb) {
    return ((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF);
  }
}
