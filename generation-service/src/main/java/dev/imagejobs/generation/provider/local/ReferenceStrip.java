package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ImageReaders;
import dev.imagejobs.generation.provider.ReferenceInput;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Draws a job's reference images as a row of square thumbnails along the top edge of the local
 * provider's picture, left to right in the order the job names them, so tests and people can see
 * which references reached the provider; the top edge keeps them clear of the prompt excerpt along
 * the bottom. Each thumbnail is the image scaled to fit, on black, in a white frame. WebP, which the
 * JDK cannot decode, and any image that does not decode are drawn as a grey tile labelled with the
 * image's type instead.
 */
final class ReferenceStrip {
  /** A thumbnail's side is a fifth of the picture's height, smaller when many must fit the width. */
  static final int HEIGHT_DIVISOR = 5;
  /** The fill of a placeholder tile. */
  static final Color PLACEHOLDER = new Color(128, 128, 128);
  private static final Color PLACEHOLDER_CROSS = new Color(96, 96, 96);

  private ReferenceStrip() {}

  /**
   * Where the thumbnails of {@code count} references go on a {@code width} x {@code height}
   * picture, in order; empty when there are none or the picture is too small to show them.
   */
  static List<Rectangle> layout(int count, int width, int height) {
    if (count == 0) {
      return List.of();
    }
    int gap = Math.max(1, Math.min(width, height) / 64);
    int side = Math.min(height / HEIGHT_DIVISOR, (width - gap * (count + 1)) / count);
    if (side < 1) {
      return List.of();
    }
    List<Rectangle> boxes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boxes.add(new Rectangle(gap + i * (side + gap), gap, side, side));
    }
    return boxes;
  }

  /** Draws the thumbnails of {@code references} onto a {@code width} x {@code height} picture. */
  static void draw(Graphics2D target, List<ReferenceInput> references, int width, int height) {
    List<Rectangle> boxes = layout(references.size(), width, height);
    if (boxes.isEmpty()) {
      return;
    }
    Graphics2D g = (Graphics2D) target.create();
    try {
      // Crisp edges: a thumbnail's pixels are its image's, not blended with the painting beneath.
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      // The painter may have left a wide stroke set: frames and crosses are one pixel.
      g.setStroke(new BasicStroke(1));
      for (int i = 0; i < boxes.size(); i++) {
        drawOne(g, references.get(i), boxes.get(i));
      }
    } finally {
      g.dispose();
    }
  }

  /**
   * A copy of the picture {@code png} with the thumbnails drawn on it: prerendered pictures are
   * shared by every job, so they are never drawn on themselves.
   */
  static byte[] onto(byte[] png, List<ReferenceInput> references) {
    BufferedImage image;
    try {
      image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(png)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Graphics2D g = image.createGraphics();
    try {
      draw(g, references, image.getWidth(), image.getHeight());
    } finally {
      g.dispose();
    }
    return PromptPainter.png(image);
  }

  private static void drawOne(Graphics2D g, ReferenceInput reference, Rectangle box) {
    g.setColor(Color.WHITE);
    g.drawRect(box.x - 1, box.y - 1, box.width + 1, box.height + 1);
    Optional<BufferedImage> decoded = decode(reference.content(), box.width);
    if (decoded.isEmpty()) {
      placeholder(g, label(reference.contentType()), box);
      return;
    }
    BufferedImage image = decoded.get();
    g.setColor(Color.BLACK);
    g.fillRect(box.x, box.y, box.width, box.height);
    double scale = Math.min(box.width / (double) image.getWidth(), box.height / (double) image.getHeight());
    int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
    int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
    g.drawImage(image, box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h, null);
  }

  /** A grey tile with a cross and the image's type written across it. */
  private static void placeholder(Graphics2D g, String label, Rectangle box) {
    g.setColor(PLACEHOLDER);
    g.fillRect(box.x, box.y, box.width, box.height);
    g.setColor(PLACEHOLDER_CROSS);
    g.drawLine(box.x, box.y, box.x + box.width - 1, box.y + box.height - 1);
    g.drawLine(box.x, box.y + box.height - 1, box.x + box.width - 1, box.y);
    int textWidth = label.length() * BitmapFont.CELL_WIDTH;
    int scale = Math.min((box.width - 2) / textWidth, (box.height - 2) / BitmapFont.CELL_HEIGHT);
    if (scale < 1) {
      return; // too small to write on
    }
    g.setColor(Color.WHITE);
    BitmapFont.draw(g, label, box.x + (box.width - textWidth * scale) / 2,
        box.y + (box.height - BitmapFont.GLYPH_HEIGHT * scale) / 2, scale);
  }

  /** {@code WEBP} for {@code image/webp}: the part after the slash, upper-case. */
  static String label(String contentType) {
    int slash = contentType.indexOf('/');
    String type = (slash < 0 ? contentType : contentType.substring(slash + 1)).toUpperCase(Locale.ROOT);
    return type.isEmpty() ? "?" : type;
  }

  /**
   * The image, decoded at no more than about twice the thumbnail's side: a reference may be
   * megapixels large, and its full-size raster would take tens of megabytes for a thumbnail. Empty
   * when no reader of the JDK knows the format (WebP) or the bytes do not decode.
   */
  private static Optional<BufferedImage> decode(byte[] content, int side) {
    return ImageReaders.withReader(content, reader -> {
      int step = Math.max(1, Math.min(reader.getWidth(0), reader.getHeight(0)) / (2 * side));
      ImageReadParam param = reader.getDefaultReadParam();
      param.setSourceSubsampling(step, step, 0, 0);
      return reader.read(0, param);
    });
  }
}
