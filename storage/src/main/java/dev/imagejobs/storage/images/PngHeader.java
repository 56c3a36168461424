package dev.imagejobs.storage.images;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What the chunks before the image data of a PNG say: its size and colour type from {@code IHDR},
 * and whether a {@code tRNS} chunk gives it transparency. Read without decoding, so a mask that
 * cannot serve (it has no alpha) is refused by the gateway at upload and creation, and by generation
 * before anything is decoded or paid for.
 *
 * @param width pixels
 * @param height pixels
 * @param colourType 0 grey, 2 RGB, 3 palette, 4 grey with alpha, 6 RGB with alpha
 * @param transparencyChunk whether a {@code tRNS} chunk comes before the image data
 */
public record PngHeader(int width, int height, int colourType, boolean transparencyChunk) {
  private static final int SIGNATURE_LENGTH = 8;
  /** Length, type and CRC around a chunk's data. */
  private static final int CHUNK_OVERHEAD = 12;
  private static final int GREY_WITH_ALPHA = 4;
  private static final int RGB_WITH_ALPHA = 6;

  /** The header of {@code content}; empty when it is not a PNG or its chunks are cut short before the image data. */
  public static Optional<PngHeader> read(byte[] content) {
    if (ImageFormat.sniff(content).orElse(null) != ImageFormat.PNG
        || content.length < SIGNATURE_LENGTH + CHUNK_OVERHEAD + 13
        || !type(content, SIGNATURE_LENGTH).equals("IHDR")) {
      return Optional.empty();
    }
    int width = int32(content, 16);
    int height = int32(content, 20);
    int colourType = content[25] & 0xFF;
    boolean transparency = false;
    long offset = SIGNATURE_LENGTH;
    while (true) {
      if (offset + 8 > content.length) {
        return Optional.empty();
      }
      int chunk = (int) offset;
      String type = type(content, chunk);
      if (type.equals("IDAT") || type.equals("IEND")) {
        break;
      }
      transparency |= type.equals("tRNS");
      offset += CHUNK_OVERHEAD + (int32(content, chunk) & 0xFFFFFFFFL);
    }
    return Optional.of(new PngHeader(width, height, colourType, transparency));
  }

  /** Whether its pixels carry an alpha value: an alpha channel or a {@code tRNS} chunk. */
  public boolean hasAlpha() {
    return colourType == GREY_WITH_ALPHA || colourType == RGB_WITH_ALPHA || transparencyChunk;
  }

  /** The colour type as people know it, e.g. {@code RGB (colour type 2)}. */
  public String colourTypeName() {
    String name = switch (colourType) {
      case 0 -> "greyscale";
      case 2 -> "RGB";
      case 3 -> "palette";
      case GREY_WITH_ALPHA -> "greyscale with alpha";
      case RGB_WITH_ALPHA -> "RGB with alpha";
      default -> "unknown";
    };
    return name + " (colour type " + colourType + ")";
  }

  private static String type(byte[] content, int chunk) {
    return new String(content, chunk + 4, 4, StandardCharsets.ISO_8859_1);
  }

  private static int int32(byte[] b, int offset) {
    return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8 | b[offset + 3] & 0xFF;
  }
}
