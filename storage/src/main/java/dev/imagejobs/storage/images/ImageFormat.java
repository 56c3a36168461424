package dev.imagejobs.storage.images;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The image formats the service stores, with their content type, file extension and magic bytes. */
public enum ImageFormat {
  PNG("image/png", "png"),
  JPEG("image/jpeg", "jpg"),
  WEBP("image/webp", "webp");

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final byte[] JPEG_SOI = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
  private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
  private static final byte[] WEBP_FOURCC = {'W', 'E', 'B', 'P'};

  private final String contentType;
  private final String extension;

  ImageFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  public String contentType() {
    return contentType;
  }

  /** File extension without the dot. */
  public String extension() {
    return extension;
  }

  /** The format of a MIME type such as {@code image/png}; parameters and case are ignored. */
  public static Optional<ImageFormat> fromContentType(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(format -> format.contentType.equals(mediaType)).findFirst();
  }

  /** The format the leading bytes announce, if any. */
  public static Optional<ImageFormat> sniff(byte[] content) {
    if (startsWith(content, 0, PNG_SIGNATURE)) {
      return Optional.of(PNG);
    }
    if (startsWith(content, 0, JPEG_SOI)) {
      return Optional.of(JPEG);
    }
    if (startsWith(content, 0, RIFF) && startsWith(content, 8, WEBP_FOURCC)) {
      return Optional.of(WEBP);
    }
    return Optional.empty();
  }

  /** The supported content types, comma-separated, for error messages. */
  public static String supportedContentTypes() {
    return Arrays.stream(values()).map(ImageFormat::contentType).collect(Collectors.joining(", "));
  }

  private static boolean startsWith(byte[] content, int offset, byte[] prefix) {
    if (content.length < offset + prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (content[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
