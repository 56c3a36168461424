package dev.imagejobs.generation.testing;

import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.storage.images.ImageHeaders;
import dev.imagejobs.storage.images.MalformedImageException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Reference images as the gateway names them in a job's spec, with their bytes put where it puts
 * uploads ({@code tenant_{t}/project_{p}/references/{id}.{ext}}), and pictures to make them of.
 */
public final class ReferenceImages {
  private ReferenceImages() {}

  /** Stores {@code content} as the upload {@code id} and returns the spec's reference to it. */
  public static ReferenceImage stored(BlobStore store, String id, byte[] content, String contentType) {
    BlobPath path = BlobPath.of("tenant_tenant-a", "project_project-1", "references", id + "." + extension(contentType));
    store.putIfAbsent(path, content, new BlobMetadata(contentType, "private", Map.of()));
    return aReference(id, path.value(), content, contentType);
  }

  /**
   * A reference to {@code content} at {@code storagePath}, which the caller stores or not, with the
   * width and height its header says (0 when it has none), as the gateway records them.
   */
  public static ReferenceImage aReference(String id, String storagePath, byte[] content, String contentType) {
    ImageHeaders.Size size = size(content);
    return ReferenceImage.newBuilder()
        .setSource("upload")
        .setId(id)
        .setStoragePath(storagePath)
        .setContentType(contentType)
        .setSizeBytes(content.length)
        .setWidth(size.width())
        .setHeight(size.height())
        .setSha256(sha256(content))
        .build();
  }

  /** An EDIT job's edit of {@code source}, within {@code mask} (null: none), both stored as uploads. */
  public static ImageEdit storedEdit(BlobStore store, String id, byte[] source, String sourceType, byte[] mask) {
    return ImageEdit.newBuilder()
        .setSource(stored(store, id + "-source", source, sourceType))
        .setMask(mask == null ? null : stored(store, id + "-mask", mask, "image/png"))
        .build();
  }

  /** A picture of random colours, every pixel its own, the same for the same seed. */
  public static BufferedImage noise(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  /** A mask of {@code width} x {@code height}: opaque inside {@code opaque}, fully transparent elsewhere. */
  public static byte[] mask(int width, int height, Rectangle opaque) {
    BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        mask.setRGB(x, y, opaque.contains(x, y) ? 0xFFFFFFFF : 0x00FFFFFF);
      }
    }
    return encode(mask, "png");
  }

  /** {@code image} as a file of {@code format} ({@code png}, {@code jpg}). */
  public static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalArgumentException("No writer for " + format + " takes a picture of type " + image.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code content} decoded. */
  public static BufferedImage decode(byte[] content) {
    try {
      return ImageIO.read(new ByteArrayInputStream(content));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ImageHeaders.Size size(byte[] content) {
    Optional<ImageFormat> format = ImageFormat.sniff(content);
    if (format.isEmpty()) {
      return new ImageHeaders.Size(0, 0);
    }
    try {
      return ImageHeaders.read(format.get(), content);
    } catch (MalformedImageException e) {
      return new ImageHeaders.Size(0, 0);
    }
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
    return encode(image, format);
  }

  private static String extension(String contentType) {
    return switch (contentType) {
      case "image/jpeg" -> "jpg";
      case "image/webp" -> "webp";
      default -> "png";
    };
  }
}
