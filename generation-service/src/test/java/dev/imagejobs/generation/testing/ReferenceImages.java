package dev.imagejobs.generation.testing;

import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reference images as the gateway names them in a job's spec, with their bytes put where it puts
 * uploads ({@code tenant_{t}/project_{p}/references/{id}.{ext}}).
 */
public final class ReferenceImages {
  private ReferenceImages() {}

  /** Stores {@code content} as the upload {@code id} and returns the spec's reference to it. */
  public static ReferenceImage stored(BlobStore store, String id, byte[] content, String contentType) {
    BlobPath path = BlobPath.of("tenant_tenant-a", "project_project-1", "references", id + "." + extension(contentType));
    store.putIfAbsent(path, content, new BlobMetadata(contentType, "private", Map.of()));
    return aReference(id, path.value(), content, contentType);
  }

  /** A reference to {@code content} at {@code storagePath}, which the caller stores or not. */
  public static ReferenceImage aReference(String id, String storagePath, byte[] content, String contentType) {
    return ReferenceImage.newBuilder()
        .setSource("upload")
        .setId(id)
        .setStoragePath(storagePath)
        .setContentType(contentType)
        .setSizeBytes(content.length)
        .setWidth(0)
        .setHeight(0)
        .setSha256(sha256(content))
        .build();
  }

  /** A PNG of one colour. */
  public static byte[] solidPng(int width, int height, Color colour) {
    return solid("png", width, height, colour);
  }

  /** A JPEG of one colour. */
  public static byte[] solidJpeg(int width, int height, Color colour) {
    return solid("jpg", width, height, colour);
  }

  /** The first bytes of a WebP file: enough to be one, though nothing here decodes it. */
  public static byte[] webp() {
    return new byte[] {'R', 'I', 'F', 'F', 26, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 13, 0, 0, 0, 0x2F,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] solid(String format, int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String extension(String contentType) {
    return switch (contentType) {
      case "image/jpeg" -> "jpg";
      case "image/webp" -> "webp";
      default -> "png";
    };
  }
}
