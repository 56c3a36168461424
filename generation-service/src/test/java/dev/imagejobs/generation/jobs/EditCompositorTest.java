package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.generation.testing.ReferenceImages;
import dev.imagejobs.storage.images.PngHeader;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Hashtable;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EditCompositorTest {
  private static final int WIDTH = 96;
  private static final int HEIGHT = 54;
  /** The region the edits below may change: off the edges, so pixels lie outside it on every side. */
  private static final Rectangle REGION = new Rectangle(20, 10, 40, 30);
  private static final byte[] MASK = ReferenceImages.mask(WIDTH, HEIGHT, REGION);

  @Test
  void givenAnRgbSourceAndAMask_thenOutsideItEverySampleIsTheSourcesAndInsideItThePixelsAreTheGeneratedOnes() {
    byte[] source = png(ReferenceImages.noise(WIDTH, HEIGHT, 1));
    BufferedImage generated = ReferenceImages.noise(WIDTH, HEIGHT, 2);

    BufferedImage result = composite(source, MASK, png(generated));

    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
    forEachPixel(result, (x, y) -> {
      if (REGION.contains(x, y)) {
        assertThat(result.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(generated.getRGB(x, y));
      }
    });
  }

  @Test
  void givenA16BitRgbSource_thenOutsideTheMaskEvery16BitSampleIsKept() {
    byte[] source = png(sixteenBit(false, 3));
    BufferedImage generated = ReferenceImages.noise(WIDTH, HEIGHT, 4);

    BufferedImage result = composite(source, MASK, png(generated));

    assertThat(result.getColorModel().getComponentSize()).containsOnly(16);
    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
    forEachPixel(result, (x, y) -> {
      if (REGION.contains(x, y)) {
        assertThat(result.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(generated.getRGB(x, y));
      }
    });
  }

  @Test
  void givenA16BitSourceWithAlpha_thenOutsideTheMaskEverySampleAlphaIncludedIsKept() {
    byte[] source = png(sixteenBit(true, 5));

    BufferedImage result = composite(source, MASK, png(ReferenceImages.noise(WIDTH, HEIGHT, 6)));

    assertThat(result.getColorModel().hasAlpha()).isTrue();
    assertThat(result.getColorModel().getComponentSize()).containsOnly(16);
    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
  }

  @Test
  void givenAn8BitSourceWithAlpha_thenOutsideTheMaskItsTranslucentPixelsAreKept() {
    BufferedImage translucent = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_ARGB);
    Random random = new Random(7);
    forEachPixel(translucent, (x, y) -> translucent.setRGB(x, y, random.nextInt()));
    byte[] source = png(translucent);

    BufferedImage result = composite(source, MASK, png(ReferenceImages.noise(WIDTH, HEIGHT, 8)));

    assertThat(result.getColorModel().hasAlpha()).isTrue();
    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
  }

  @Test
  void givenA16BitGreySource_thenOutsideTheMaskItsSamplesAreKeptAndTheResultStaysGrey() {
    BufferedImage grey = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
    Random random = new Random(9);
    forEachPixel(grey, (x, y) -> grey.getRaster().setSample(x, y, 0, random.nextInt(65536)));
    byte[] source = png(grey);

    BufferedImage result = composite(source, MASK, png(ReferenceImages.noise(WIDTH, HEIGHT, 10)));

    assertThat(result.getRaster().getNumBands()).isEqualTo(1);
    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
  }

  @Test
  void givenAJpegSource_thenOutsideTheMaskTheDecodedSamplesAreUnchanged() {
    byte[] source = ReferenceImages.encode(ReferenceImages.noise(WIDTH, HEIGHT, 11), "jpg");

    BufferedImage result = composite(source, "image/jpeg", MASK, png(ReferenceImages.noise(WIDTH, HEIGHT, 12)));

    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
  }

  @Test
  void givenAPaletteSource_thenOutsideTheMaskItsColoursAreKeptExactlyAndTheEditIsNotForcedOntoThePalette() {
    BufferedImage palette = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_INDEXED);
    Random random = new Random(13);
    forEachPixel(palette, (x, y) -> palette.getRaster().setSample(x, y, 0, random.nextInt(256)));
    byte[] source = png(palette);
    Color offPalette = new Color(1, 2, 3);

    BufferedImage result = composite(source, MASK, ReferenceImages.solidPng(WIDTH, HEIGHT, offPalette));

    BufferedImage decoded = ReferenceImages.decode(source);
    assertThat(decoded.getColorModel()).isInstanceOf(IndexColorModel.class);
    forEachPixel(result, (x, y) -> assertThat(result.getRGB(x, y)).as("(%d, %d)", x, y)
        .isEqualTo(REGION.contains(x, y) ? offPalette.getRGB() : decoded.getRGB(x, y)));
  }

  @Test
  void givenAGeneratedImageOfAnotherSize_thenItIsResizedToTheSourcesSize() {
    byte[] source = png(ReferenceImages.noise(WIDTH, HEIGHT, 14));
    Color blue = new Color(20, 60, 200);

    BufferedImage smaller = composite(source, MASK, ReferenceImages.solidPng(64, 64, blue));
    BufferedImage larger = composite(source, MASK, ReferenceImages.solidPng(1024, 576, blue));

    for (BufferedImage result : new BufferedImage[] {smaller, larger}) {
      assertThat(result.getWidth()).isEqualTo(WIDTH);
      assertThat(result.getHeight()).isEqualTo(HEIGHT);
      assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
      forEachPixel(result, (x, y) -> {
        if (REGION.contains(x, y)) {
          assertThat(result.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(blue.getRGB());
        }
      });
    }
  }

  @Test
  void givenAResizedGeneratedImage_thenItsDetailIsInterpolatedNotDropped() {
    BufferedImage halves = new BufferedImage(WIDTH * 2, HEIGHT * 2, BufferedImage.TYPE_INT_RGB);
    forEachPixel(halves, (x, y) -> halves.setRGB(x, y, x < WIDTH ? 0x000000 : 0xFFFFFF));

    BufferedImage result = composite(png(ReferenceImages.noise(WIDTH, HEIGHT, 15)), null, png(halves));

    assertThat(result.getRGB(0, 0) & 0xFFFFFF).isZero();
    assertThat(result.getRGB(WIDTH - 1, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(result.getRGB(WIDTH / 4, HEIGHT / 2)).isEqualTo(result.getRGB(WIDTH / 4, HEIGHT / 3));
  }

  @Test
  void givenNoMask_thenTheResultIsTheGeneratedImageAtTheSourcesSize() {
    BufferedImage generated = ReferenceImages.noise(WIDTH, HEIGHT, 16);

    BufferedImage sameSize = composite(png(ReferenceImages.noise(WIDTH, HEIGHT, 17)), null, png(generated));
    BufferedImage resized = composite(png(ReferenceImages.noise(WIDTH, HEIGHT, 17)), null,
        ReferenceImages.solidJpeg(300, 300, Color.BLACK));

    forEachPixel(sameSize, (x, y) -> assertThat(sameSize.getRGB(x, y)).isEqualTo(generated.getRGB(x, y)));
    assertThat(resized.getWidth()).isEqualTo(WIDTH);
    assertThat(resized.getHeight()).isEqualTo(HEIGHT);
  }

  @Test
  void givenNoMask_thenASourceNothingHereDecodesNeedsOnlyItsSize() {
    EditCompositor compositor = EditCompositor.prepare(
        new EditInput(new ReferenceInput("image/webp", ReferenceImages.webp()), null));

    ArtifactBytes result = compositor.composite(new ArtifactBytes(ReferenceImages.solidPng(8, 8, Color.RED), null));

    assertThat(result.contentType()).isEqualTo("image/png");
    BufferedImage decoded = ReferenceImages.decode(result.content());
    assertThat(decoded.getWidth()).isEqualTo(1);
    assertThat(decoded.getRGB(0, 0)).isEqualTo(Color.RED.getRGB());
  }

  @Test
  void givenMaskPixelsOfAlpha127And128_thenOnlyThe128OneLetsTheGeneratedPixelThrough() {
    BufferedImage mask = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    mask.setRGB(0, 0, 127 << 24 | 0xFFFFFF);
    mask.setRGB(1, 0, 128 << 24);
    byte[] source = ReferenceImages.solidPng(2, 1, Color.RED);

    BufferedImage result = composite(source, png(mask), ReferenceImages.solidPng(2, 1, Color.GREEN));

    assertThat(result.getRGB(0, 0)).as("alpha 127: the source's").isEqualTo(Color.RED.getRGB());
    assertThat(result.getRGB(1, 0)).as("alpha 128: the generated image's").isEqualTo(Color.GREEN.getRGB());
  }

  @Test
  void givenAPaletteMaskWithATransparencyChunk_thenItsOpaqueEntriesMarkTheRegion() {
    IndexColorModel twoEntries = new IndexColorModel(1, 2, new byte[] {0, 0}, new byte[] {0, 0}, new byte[] {0, 0},
        new byte[] {0, (byte) 255});
    BufferedImage mask = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_BINARY, twoEntries);
    forEachPixel(mask, (x, y) -> mask.getRaster().setSample(x, y, 0, REGION.contains(x, y) ? 1 : 0));
    byte[] maskPng = png(mask);
    assertThat(PngHeader.read(maskPng)).get().satisfies(header -> {
      assertThat(header.colourType()).isEqualTo(3);
      assertThat(header.transparencyChunk()).isTrue();
    });
    byte[] source = png(ReferenceImages.noise(WIDTH, HEIGHT, 18));

    BufferedImage result = composite(source, maskPng, ReferenceImages.solidPng(WIDTH, HEIGHT, Color.GREEN));

    assertSameSamplesOutside(ReferenceImages.decode(source), result, REGION);
    assertThat(result.getRGB(REGION.x, REGION.y)).isEqualTo(Color.GREEN.getRGB());
  }

  @Test
  void givenAMaskOfAnotherSize_thenTheEditIsRefusedSayingBothSizes() {
    byte[] source = png(ReferenceImages.noise(WIDTH, HEIGHT, 19));

    assertRefused(source, ReferenceImages.mask(48, 48, REGION), EditCompositor.MASK_INVALID,
        "mask is 48x48, the source image is 96x54");
  }

  @Test
  void givenAMaskWithoutAlpha_thenTheEditIsRefused() {
    byte[] source = png(ReferenceImages.noise(WIDTH, HEIGHT, 20));

    assertRefused(source, ReferenceImages.solidPng(WIDTH, HEIGHT, Color.WHITE), EditCompositor.MASK_INVALID,
        "mask has no alpha channel: it is RGB (colour type 2) without a tRNS chunk");
    assertRefused(source, ReferenceImages.solidJpeg(WIDTH, HEIGHT, Color.WHITE), EditCompositor.MASK_INVALID,
        "mask: not a PNG");
  }

  @Test
  void givenAMaskAndASourceNothingHereDecodes_thenTheEditIsRefusedBeforeAnyCall() {
    ReferenceInput webp = new ReferenceInput("image/webp", ReferenceImages.webp());

    assertThatThrownBy(() -> EditCompositor.prepare(new EditInput(webp,
        new ReferenceInput("image/png", ReferenceImages.mask(1, 1, new Rectangle(0, 0, 1, 1))))))
        .isInstanceOfSatisfying(ProviderException.class, refused -> {
          assertThat(refused.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(refused.code()).isEqualTo(EditCompositor.SOURCE_UNDECODABLE);
          assertThat(refused.getMessage()).contains("image/webp");
        });
  }

  @Test
  void givenAGeneratedImageThatDoesNotDecode_thenTheCompositeFailsPermanent() {
    EditCompositor compositor = EditCompositor.prepare(new EditInput(
        new ReferenceInput("image/png", png(ReferenceImages.noise(WIDTH, HEIGHT, 21))),
        new ReferenceInput("image/png", MASK)));

    assertThatThrownBy(() -> compositor.composite(new ArtifactBytes(new byte[] {1, 2, 3}, "image/png")))
        .isInstanceOfSatisfying(ProviderException.class, failed -> {
          assertThat(failed.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(failed.code()).isEqualTo(EditCompositor.UNREADABLE_RESULT);
          assertThat(failed.getMessage()).contains("image/png, 3 bytes");
        });
  }

  private static BufferedImage composite(byte[] source, byte[] mask, byte[] generated) {
    return composite(source, "image/png", mask, generated);
  }

  private static BufferedImage composite(byte[] source, String sourceType, byte[] mask, byte[] generated) {
    EditCompositor compositor = EditCompositor.prepare(new EditInput(new ReferenceInput(sourceType, source),
        mask == null ? null : new ReferenceInput("image/png", mask)));
    ArtifactBytes result = compositor.composite(new ArtifactBytes(generated, "image/png"));
    assertThat(result.contentType()).isEqualTo("image/png");
    assertThat(PngHeader.read(result.content())).as("a PNG").isPresent();
    BufferedImage decoded = ReferenceImages.decode(result.content());
    assertThat(decoded.getWidth()).isEqualTo(compositor.size().width());
    assertThat(decoded.getHeight()).isEqualTo(compositor.size().height());
    return decoded;
  }

  private static void assertRefused(byte[] source, byte[] mask, String code, String message) {
    assertThatThrownBy(() -> EditCompositor.prepare(new EditInput(new ReferenceInput("image/png", source),
        new ReferenceInput("image/png", mask))))
        .isInstanceOfSatisfying(ProviderException.class, refused -> {
          assertThat(refused.errorClass()).isEqualTo(ErrorClass.PERMANENT);
          assertThat(refused.code()).isEqualTo(code);
          assertThat(refused.getMessage()).contains(message);
        });
  }

  /** Every sample of every band of {@code source} outside {@code region} is in {@code result}, in the same layout. */
  private static void assertSameSamplesOutside(BufferedImage source, BufferedImage result, Rectangle region) {
    Raster expected = source.getRaster();
    Raster actual = result.getRaster();
    assertThat(actual.getNumBands()).isEqualTo(expected.getNumBands());
    assertThat(actual.getSampleModel().getSampleSize()).isEqualTo(expected.getSampleModel().getSampleSize());
    int compared = 0;
    for (int y = 0; y < source.getHeight(); y++) {
      for (int x = 0; x < source.getWidth(); x++) {
        if (region.contains(x, y)) {
          continue;
        }
        for (int band = 0; band < expected.getNumBands(); band++) {
          if (actual.getSample(x, y, band) != expected.getSample(x, y, band)) {
            throw new AssertionError("Sample " + band + " of (" + x + ", " + y + ") is " + actual.getSample(x, y, band)
                + ", the source's is " + expected.getSample(x, y, band));
          }
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(
        (source.getWidth() * source.getHeight() - region.width * region.height) * expected.getNumBands());
  }

  /** A picture of random 16-bit RGB samples, with random 16-bit alpha when asked. */
  private static BufferedImage sixteenBit(boolean alpha, long seed) {
    ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = model.createCompatibleWritableRaster(WIDTH, HEIGHT);
    Random random = new Random(seed);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        for (int band = 0; band < raster.getNumBands(); band++) {
          raster.setSample(x, y, band, random.nextInt(65536));
        }
      }
    }
    return new BufferedImage(model, raster, false, new Hashtable<>());
  }

  private static byte[] png(BufferedImage image) {
    return ReferenceImages.encode(image, "png");
  }

  private static void forEachPixel(BufferedImage image, PixelAction action) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        action.at(x, y);
      }
    }
  }

  private interface PixelAction {
    void at(int x, int y);
  }
}
