package dev.imagejobs.upload;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.storage.Sha256;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;

/** Real images and image headers for tests, and the {@code ImageGenerated} event that announces them. */
public final class TestImages {
  private TestImages() {}

  /** A real PNG written by ImageIO. */
  public static byte[] png(int width, int height) {
    return write("png", width, height);
  }

  /** A real baseline JPEG written by ImageIO. */
  public static byte[] jpeg(int width, int height) {
    return write("jpg", width, height);
  }

  /** The header of an extended WebP file (RIFF, VP8X chunk with the canvas size). */
  public static byte[] webpVp8x(int width, int height) {
    ByteBuffer chunk = little(10);
    chunk.put((byte) 0).put(new byte[3]).put(u24(width - 1)).put(u24(height - 1));
    return riff("VP8X", chunk.array());
  }

  /** The header of a lossless WebP file (RIFF, VP8L chunk with 14-bit sizes). */
  public static byte[] webpVp8l(int width, int height) {
    ByteBuffer chunk = little(5);
    chunk.put((byte) 0x2F).putInt((width - 1) | (height - 1) << 14);
    return riff("VP8L", chunk.array());
  }

  /** The header of a lossy WebP file (RIFF, VP8 key frame with start code and sizes). */
  public static byte[] webpVp8(int width, int height) {
    ByteBuffer chunk = little(10);
    chunk.put(new byte[] {0x50, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A}).putShort((short) width).putShort((short) height);
    return riff("VP8 ", chunk.array());
  }

  public static String sha256(byte[] content) {
    return Sha256.hex(content);
  }

  /**
   * An {@code ImageGenerated} of the schemas' asset-key spec (project p1, branch main, asset hero,
   * 16:9) announcing {@code content} staged at {@code stagedRef}.
   */
  public static ImageGenerated.Builder anImageGenerated(String jobId, String stagedRef, byte[] content) {
    return ImageGenerated.newBuilder()
        .setMetadata(Events.metadata(jobId, "generation", 1))
        .setSpec(Events.anAssetKeySpec().build())
        .setStagedRef(stagedRef)
        .setContentType("image/png")
        .setSizeBytes(content.length)
        .setSha256(sha256(content))
        .setWidth(160)
        .setHeight(90)
        .setProvider("local")
        .setModel("local-v1")
        .setActualCostMicros(0);
  }

  /**
   * An {@code ImageGenerated} of a job of several variants, as {@link #anImageGenerated} but listing
   * {@code variants}: the top-level fields describe the first generated one, the cost is their sum.
   */
  public static ImageGenerated.Builder anImageGeneratedOfVariants(String jobId, List<ImageVariant> variants) {
    ImageVariant first = variants.stream().filter(variant -> variant.getPath() != null).findFirst().orElseThrow();
    return ImageGenerated.newBuilder()
        .setMetadata(Events.metadata(jobId, "generation", 1))
        .setSpec(Events.anAssetKeySpec().setVariants(variants.size()).build())
        .setStagedRef(first.getPath())
        .setContentType(first.getContentType())
        .setSizeBytes(first.getSizeBytes())
        .setSha256(first.getSha256())
        .setWidth(first.getWidth())
        .setHeight(first.getHeight())
        .setProvider("local")
        .setModel("local-v1")
        .setActualCostMicros(variants.stream().mapToLong(ImageVariant::getActualCostMicros).sum())
        .setVariants(variants);
  }

  /** A variant generated as {@code content} (a PNG of {@code width}x{@code height}), staged at {@code stagedRef}. */
  public static ImageVariant aGeneratedVariant(int variant, String stagedRef, byte[] content, int width, int height,
      long costMicros) {
    return ImageVariant.newBuilder()
        .setVariant(variant)
        .setPath(stagedRef)
        .setContentType("image/png")
        .setSizeBytes((long) content.length)
        .setSha256(sha256(content))
        .setWidth(width)
        .setHeight(height)
        .setActualCostMicros(costMicros)
        .build();
  }

  /** A variant whose provider call failed for good. */
  public static ImageVariant aFailedVariant(int variant, long costMicros) {
    return ImageVariant.newBuilder()
        .setVariant(variant)
        .setActualCostMicros(costMicros)
        .setErrorClass("PERMANENT")
        .setErrorCode("CONTENT_POLICY")
        .setMessage("The provider refused the prompt")
        .build();
  }

  private static byte[] write(String format, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    graphics.setColor(new Color(0x2E, 0x86, 0xAB));
    graphics.fillRect(0, 0, width, height);
    graphics.setColor(Color.ORANGE);
    graphics.fillOval(width / 4, height / 4, width / 2, height / 2);
    graphics.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("No ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] riff(String chunkType, byte[] chunk) {
    ByteBuffer file = little(20 + chunk.length);
    file.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + chunk.length)
        .put("WEBP".getBytes(StandardCharsets.US_ASCII))
        .put(chunkType.getBytes(StandardCharsets.US_ASCII)).putInt(chunk.length).put(chunk);
    return file.array();
  }

  private static ByteBuffer little(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] u24(int value) {
    return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16)};
  }
}
