package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ReferenceInput;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Paints a PNG whose colours, shapes and composition come from the SHA-256 of the prompt, with the
 * start of the prompt written across the bottom: the same prompt always gives the same bytes,
 * different prompts visibly different pictures; reference images, when the job has any, are drawn
 * over it as a strip of thumbnails ({@link ReferenceStrip}). It only draws into memory, so it runs
 * headless (Spring Boot sets {@code java.awt.headless}) and needs no fonts installed.
 */
final class PromptPainter {
  static final int EXCERPT_LINES = 2;
  private static final String ELLIPSIS = "...";

  private PromptPainter() {}

  static byte[] paint(String prompt, int width, int height) {
    return paint(prompt, width, height, List.of());
  }

  /** The picture of {@code prompt} with the thumbnails of {@code references}, in order, along its top edge. */
  static byte[] paint(String prompt, int width, int height, List<ReferenceInput> references) {
    return paint(prompt, 1, width, height, references);
  }

  /**
   * The picture of variant {@code variant} of {@code prompt}: variant 1 is the prompt's own picture,
   * every other variant another composition and palette of the same prompt, as a model would answer.
   */
  static byte[] paint(String prompt, int variant, int width, int height, List<ReferenceInput> references) {
    byte[] seed = sha256(variant > 1 ? prompt + "\n#variant " + variant : prompt);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, colour(seed, 0), width, height, colour(seed, 3)));
      g.fillRect(0, 0, width, height);
      drawShapes(g, seed, width, height);
      // A horizon line gives frames a sense of composition.
      g.setColor(withAlpha(colour(seed, 28), 120));
      g.fillRect(0, height * (55 + (seed[31] & 0x1F)) / 100, width, Math.max(2, height / 60));
      drawExcerpt(g, seed, prompt, width, height);
      ReferenceStrip.draw(g, references, width, height);
    } finally {
      g.dispose();
    }
    return png(image);
  }

  private static void drawShapes(Graphics2D g, byte[] seed, int width, int height) {
    int shapes = 5 + (seed[6] & 0x07);
    for (int i = 0; i < shapes; i++) {
      int base = 7 + i * 3;
      int x = scaled(seed[base % 32], width);
      int y = scaled(seed[(base + 1) % 32], height);
      int size = Math.max(8, scaled(seed[(base + 2) % 32], Math.min(width, height) / 2));
      g.setColor(withAlpha(colour(seed, (base + i) % 30), 170));
      switch ((seed[(base + 2) % 32] & 0xFF) % 3) {
        case 0 -> g.fillOval(x - size / 2, y - size / 2, size, size);
        case 1 -> g.fillRect(x - size / 2, y - size / 3, size, size * 2 / 3);
        default -> {
          g.setStroke(new BasicStroke(Math.max(2, size / 12f)));
          g.drawLine(x - size, y, x + size, y - size / 2);
        }
      }
    }
  }

  /** The start of the prompt on a dark band along the bottom edge, in the built-in bitmap font. */
  private static void drawExcerpt(Graphics2D g, byte[] seed, String prompt, int width, int height) {
    int scale = Math.max(1, Math.min(width, height) / 160);
    int padding = 3 * scale;
    int charsPerLine = (width - 2 * padding) / (BitmapFont.CELL_WIDTH * scale);
    List<String> lines = excerpt(prompt, charsPerLine, EXCERPT_LINES);
    int bandHeight = lines.size() * BitmapFont.CELL_HEIGHT * scale + 2 * padding;
    if (lines.isEmpty() || bandHeight > height / 2) {
      return;
    }
    int top = height - bandHeight;
    g.setColor(new Color(0, 0, 0, 150));
    g.fillRect(0, top, width, bandHeight);
    Color tint = colour(seed, 12);
    g.setColor(new Color((tint.getRed() + 510) / 3, (tint.getGreen() + 510) / 3, (tint.getBlue() + 510) / 3));
    for (int i = 0; i < lines.size(); i++) {
      BitmapFont.draw(g, lines.get(i), padding, top + padding + scale + i * BitmapFont.CELL_HEIGHT * scale, scale);
    }
  }

  /**
   * The prompt's first words wrapped into at most {@code maxLines} lines of {@code charsPerLine}
   * characters, ending with "..." when the prompt goes on; a word longer than a line is cut.
   */
  static List<String> excerpt(String prompt, int charsPerLine, int maxLines) {
    List<String> lines = new ArrayList<>();
    String text = BitmapFont.normalize(prompt);
    if (charsPerLine <= ELLIPSIS.length() || text.isEmpty()) {
      return lines;
    }
    StringBuilder line = new StringBuilder();
    int next = 0;
    while (next < text.length() && lines.size() < maxLines) {
      int end = text.indexOf(' ', next);
      String word = text.substring(next, end < 0 ? text.length() : end);
      int room = charsPerLine - line.length() - (line.length() == 0 ? 0 : 1);
      if (word.length() <= room) {
        line.append(line.length() == 0 ? "" : " ").append(word);
        next += word.length() + 1;
      } else if (line.length() == 0) {
        line.append(word, 0, charsPerLine);
        next += charsPerLine;
      } else {
        lines.add(line.toString());
        line.setLength(0);
      }
    }
    if (line.length() > 0 && lines.size() < maxLines) {
      lines.add(line.toString());
    }
    if (next < text.length()) {
      String last = lines.remove(lines.size() - 1);
      int keep = Math.min(last.length(), charsPerLine - ELLIPSIS.length());
      lines.add(last.substring(0, keep).stripTrailing() + ELLIPSIS);
    }
    return lines;
  }

  static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("No PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Color colour(byte[] seed, int offset) {
    return new Color(seed[offset % 32] & 0xFF, seed[(offset + 1) % 32] & 0xFF, seed[(offset + 2) % 32] & 0xFF);
  }

  private static Color withAlpha(Color colour, int alpha) {
    return new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), alpha);
  }

  private static int scaled(byte value, int range) {
    return (value & 0xFF) * range / 255;
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
