package dev.imagejobs.storage.images;

import java.nio.charset.StandardCharsets;

/**
 * Reads width and height from the header of a PNG (IHDR), JPEG (the first SOFn frame header) or
 * WebP (VP8, VP8L or VP8X chunk) without decoding the image, so a huge or hostile file costs no
 * more than a few reads.
 */
public final class ImageHeaders {

  /** Pixel size of an image. */
  public record Size(int width, int height) {}

  private static final int JPEG_SOF_MIN = 0xC0;
  private static final int JPEG_SOF_MAX = 0xCF;
  private static final int JPEG_DHT = 0xC4;
  private static final int JPEG_JPG = 0xC8;
  private static final int JPEG_DAC = 0xCC;
  private static final int JPEG_SOS = 0xDA;
  private static final int JPEG_EOI = 0xD9;
  private static final int VP8_DIMENSION_MASK = 0x3FFF;

  private ImageHeaders() {}

  /**
   * @throws MalformedImageException when the header is truncated or malformed
   */
  public static Size read(ImageFormat format, byte[] content) {
    Size size = switch (format) {
      case PNG -> png(content);
      case JPEG -> jpeg(content);
      case WEBP -> webp(content);
    };
    if (size.width() <= 0 || size.height() <= 0) {
      throw malformed(format, "it declares " + size.width() + "x" + size.height() + " pixels");
    }
    return size;
  }

  private static Size png(byte[] b) {
    if (b.length < 24 || !ascii(b, 12, 4).equals("IHDR")) {
      throw malformed(ImageFormat.PNG, "the IHDR chunk does not follow the signature");
    }
    return new Size(b[16] << 24 | (b[17] & 0xFF) << 16 | (b[18] & 0xFF) << 8 | b[19] & 0xFF,
        b[20] << 24 | (b[21] & 0xFF) << 16 | (b[22] & 0xFF) << 8 | b[23] & 0xFF);
  }

  private static Size jpeg(byte[] b) {
    int i = 2;
    while (i + 1 < b.length) {
      if ((b[i] & 0xFF) != 0xFF) {
        throw malformed(ImageFormat.JPEG, "no marker at offset " + i);
      }
      int marker = b[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++;
        continue;
      }
      i += 2;
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue;
      }
      if (marker == JPEG_SOS || marker == JPEG_EOI || i + 2 > b.length) {
        break;
      }
      int length = u16be(b, i);
      if (length < 2) {
        throw malformed(ImageFormat.JPEG, "segment length " + length + " at offset " + i);
      }
      if (isStartOfFrame(marker)) {
        if (i + 7 > b.length) {
          break;
        }
        return new Size(u16be(b, i + 5), u16be(b, i + 3));
      }
      i += length;
    }
    throw malformed(ImageFormat.JPEG, "no SOF frame header before the image data");
  }

  private static boolean isStartOfFrame(int marker) {
    return marker >= JPEG_SOF_MIN && marker <= JPEG_SOF_MAX
        && marker != JPEG_DHT && marker != JPEG_JPG && marker != JPEG_DAC;
  }

  private static Size webp(byte[] b) {
    if (b.length < 20) {
      throw malformed(ImageFormat.WEBP, "no chunk after the RIFF header");
    }
    String chunk = ascii(b, 12, 4);
    switch (chunk) {
      case "VP8 " -> {
        // Frame tag (3 bytes), then the key-frame start code and two 14-bit dimensions.
        if (b.length < 30 || (b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
          throw malformed(ImageFormat.WEBP, "the VP8 chunk has no key-frame start code");
        }
        return new Size(u16le(b, 26) & VP8_DIMENSION_MASK, u16le(b, 28) & VP8_DIMENSION_MASK);
      }
      case "VP8L" -> {
        if (b.length < 25 || (b[20] & 0xFF) != 0x2F) {
          throw malformed(ImageFormat.WEBP, "the VP8L chunk has no signature byte");
        }
        int bits = (b[21] & 0xFF) | (b[22] & 0xFF) << 8 | (b[23] & 0xFF) << 16 | (b[24] & 0xFF) << 24;
        return new Size((bits & VP8_DIMENSION_MASK) + 1, ((bits >>> 14) & VP8_DIMENSION_MASK) + 1);
      }
      case "VP8X" -> {
        if (b.length < 30) {
          throw malformed(ImageFormat.WEBP, "the VP8X chunk is truncated");
        }
        return new Size(u24le(b, 24) + 1, u24le(b, 27) + 1);
      }
      default -> throw malformed(ImageFormat.WEBP, "unknown first chunk '" + chunk + "'");
    }
  }

  private static MalformedImageException malformed(ImageFormat format, String detail) {
    return new MalformedImageException("Cannot read the dimensions of the " + format + " image: " + detail);
  }

  private static String ascii(byte[] b, int offset, int length) {
    return new String(b, offset, length, StandardCharsets.ISO_8859_1);
  }

  private static int u16be(byte[] b, int offset) {
    return (b[offset] & 0xFF) << 8 | (b[offset + 1] & 0xFF);
  }

  private static int u16le(byte[] b, int offset) {
    return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8;
  }

  private static int u24le(byte[] b, int offset) {
    return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8 | (b[offset + 2] & 0xFF) << 16;
  }
}
