package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageReaders;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * Paints the local provider's answer to an edit: the source image scaled to the picture's size, and
 * the instruction made visible as a strong tint with its first words written across it, only where
 * the mask is opaque (alpha 128 or more, the mask scaled to the picture) or over the whole picture
 * without a mask. The job's other reference images are drawn as the usual strip, under the same
 * mask. Like {@link PromptPainter}, the same edit always gives the same bytes; a source the JDK
 * cannot decode (WebP) is drawn as a grey picture labelled with its type.
 */
final class EditPainter {
  /** How much of the tint covers the source inside the mask, out of 255. */
  static final int TINT_ALPHA = 170;
  static final int OPAQUE_FROM = 128;
  private static final Color BACKGROUND = new Color(128, 128, 128);
  private static final Color TEXT_BAND = new Color(0, 0, 0, 180);

  private EditPainter() {}

  /**
   * The edited picture at {@code width} x {@code height}.
   *
   * @param others the job's reference images after the source
   * @throws ProviderException PERMANENT {@code LOCAL_MASK_UNREADABLE} for a mask that does not decode
   */
  static byte[] paint(String prompt, int width, int height, EditInput edit, List<ReferenceInput> others) {
    BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = picture.createGraphics();
    try {
      drawSource(g, edit.source(), width, height);
      Optional<boolean[]> mask = edit.hasMask() ? Optional.of(scaledMask(edit.mask(), width, height)) : Optional.empty();
      Optional<Rectangle> region = mask.isPresent() ? bounds(mask.get(), width, height)
          : Optional.of(new Rectangle(0, 0, width, height));
      if (region.isPresent()) {
        BufferedImage overlay = overlay(prompt, width, height, region.get(), others);
        mask.ifPresent(inside -> clear(overlay, inside));
        g.drawImage(overlay, 0, 0, null);
      }
    } finally {
      g.dispose();
    }
    return PromptPainter.png(picture);
  }

  private static void drawSource(Graphics2D g, ReferenceInput source, int width, int height) {
    Optional<BufferedImage> decoded = ImageReaders.withReader(source.content(), reader -> reader.read(0));
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, width, height);
    if (decoded.isEmpty()) {
      String label = ReferenceStrip.label(source.contentType());
      int scale = Math.max(1, Math.min(width / (label.length() * BitmapFont.CELL_WIDTH * 2), height / 40));
      g.setColor(Color.WHITE);
      BitmapFont.draw(g, label, scale, scale, scale);
      return;
    }
    Graphics2D scaled = (Graphics2D) g.create();
    try {
      scaled.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      scaled.drawImage(decoded.get(), 0, 0, width, height, null);
    } finally {
      scaled.dispose();
    }
  }

  /** The tint, the instruction's words inside {@code region} and the other references' strip, on transparency. */
  private static BufferedImage overlay(String prompt, int width, int height, Rectangle region,
      List<ReferenceInput> others) {
    BufferedImage overlay = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = overlay.createGraphics();
    try {
      g.setColor(tint(prompt));
      g.fillRect(0, 0, width, height);
      drawInstruction(g, prompt, region);
      ReferenceStrip.draw(g, others, width, height);
    } finally {
      g.dispose();
    }
    return overlay;
  }

  /** A saturated colour of the instruction's own, mostly covering what lies beneath. */
  static Color tint(String prompt) {
    byte[] seed = PromptPainter.sha256(prompt);
    Color colour = Color.getHSBColor((seed[0] & 0xFF) / 256f, 0.9f, 0.9f);
    return new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), TINT_ALPHA);
  }

  /** The instruction's first words, white on a dark band across the middle of {@code region}, if they fit. */
  private static void drawInstruction(Graphics2D g, String prompt, Rectangle region) {
    int scale = Math.max(1, Math.min(region.width, region.height) / 80);
    int padding = 2 * scale;
    int charsPerLine = (region.width - 2 * padding) / (BitmapFont.CELL_WIDTH * scale);
    List<String> lines = PromptPainter.excerpt(prompt, charsPerLine, PromptPainter.EXCERPT_LINES);
    int bandHeight = lines.size() * BitmapFont.CELL_HEIGHT * scale + 2 * padding;
    if (lines.isEmpty() || bandHeight > region.height) {
      return;
    }
    int top = region.y + (region.height - bandHeight) / 2;
    g.setColor(TEXT_BAND);
    g.fillRect(region.x, top, region.width, bandHeight);
    g.setColor(Color.WHITE);
    for (int i = 0; i < lines.size(); i++) {
      BitmapFont.draw(g, lines.get(i), region.x + padding, top + padding + scale + i * BitmapFont.CELL_HEIGHT * scale,
          scale);
    }
  }

  /** Which pixels of the picture lie inside the mask, the mask scaled to it (nearest pixel). */
  private static boolean[] scaledMask(ReferenceInput mask, int width, int height) {
    BufferedImage decoded = ImageReaders.withReader(mask.content(), reader -> reader.read(0)).orElseThrow(() ->
        new ProviderException(ErrorClass.PERMANENT, "LOCAL_MASK_UNREADABLE", "The edit's mask does not decode"));
    boolean[] inside = new boolean[width * height];
    for (int y = 0; y < height; y++) {
      int maskY = (int) ((long) y * decoded.getHeight() / height);
      for (int x = 0; x < width; x++) {
        int maskX = (int) ((long) x * decoded.getWidth() / width);
        inside[y * width + x] = decoded.getRGB(maskX, maskY) >>> 24 >= OPAQUE_FROM;
      }
    }
    return inside;
  }

  /** The smallest rectangle around the pixels inside the mask; empty when there are none. */
  private static Optional<Rectangle> bounds(boolean[] inside, int width, int height) {
    int left = width;
    int top = height;
    int right = -1;
    int bottom = -1;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (inside[y * width + x]) {
          left = Math.min(left, x);
          right = Math.max(right, x);
          top = Math.min(top, y);
          bottom = y;
        }
      }
    }
    return right < 0 ? Optional.empty() : Optional.of(new Rectangle(left, top, right - left + 1, bottom - top + 1));
  }

  /** Makes the overlay transparent outside the mask, so only the source shows there. */
  private static void clear(BufferedImage overlay, boolean[] inside) {
    int width = overlay.getWidth();
    for (int y = 0; y < overlay.getHeight(); y++) {
      for (int x = 0; x < width; x++) {
        if (!inside[y * width + x]) {
          overlay.setRGB(x, y, 0);
        }
      }
    }
  }
}
