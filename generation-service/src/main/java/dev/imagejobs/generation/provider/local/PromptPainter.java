package dev.imagejobs.generation.provider.local;

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
import javax.imageio.ImageIO;

/**
 * Paints a PNG whose colours and composition come from the SHA-256 of the prompt: the same prompt
 * always gives the same bytes, different prompts visibly different pictures. Only shapes are drawn
 * (no text), so no system fonts are needed.
 */
final class PromptPainter {

  private PromptPainter() {}

  static byte[] paint(String prompt, int width, int height) {
    byte[] seed = sha256(prompt);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, colour(seed, 0), width, height, colour(seed, 3)));
      g.fillRect(0, 0, width, height);
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
      // A horizon line gives frames a sense of composition.
      g.setColor(withAlpha(colour(seed, 28), 120));
      g.fillRect(0, height * (55 + (seed[31] & 0x1F)) / 100, width, Math.max(2, height / 60));
    } finally {
      g.dispose();
    }
    return png(image);
  }

  private static byte[] png(BufferedImage image) {
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

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
