package dev.imagejobs.generation.jobs;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Resizes pictures with interpolation that keeps detail and does not alias. */
final class Resampling {
  private Resampling() {}

  /**
   * {@code image} at {@code width} x {@code height}: itself when it has that size already;
   * otherwise halved (bilinear) while more than twice too large, since one bicubic step from far
   * above would skip pixels, then scaled bicubically to the size. The result is 8-bit RGB, with
   * alpha when {@code image} has it.
   */
  static BufferedImage resize(BufferedImage image, int width, int height) {
    BufferedImage current = image;
    while (current.getWidth() >= 2 * width || current.getHeight() >= 2 * height) {
      int w = current.getWidth() >= 2 * width ? current.getWidth() / 2 : current.getWidth();
      int h = current.getHeight() >= 2 * height ? current.getHeight() / 2 : current.getHeight();
      current = draw(current, w, h, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }
    if (current.getWidth() == width && current.getHeight() == height) {
      return current;
    }
    return draw(current, width, height, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
  }

  private static BufferedImage draw(BufferedImage image, int width, int height, Object interpolation) {
    BufferedImage scaled = new BufferedImage(width, height,
        image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return scaled;
  }
}
