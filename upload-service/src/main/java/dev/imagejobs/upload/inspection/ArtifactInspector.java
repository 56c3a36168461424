package dev.imagejobs.upload.inspection;

import dev.imagejobs.storage.Sha256;
import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.storage.images.ImageHeaders;
import dev.imagejobs.storage.images.MalformedImageException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a staged image before it is stored: size limit, magic bytes against the declared content
 * type, width and height from the header, aspect ratio against the requested one, and SHA-256
 * against the announced checksum. Each failed check throws an {@link ArtifactRejectedException}
 * whose message names the check. Thread-safe.
 */
public final class ArtifactInspector {

  private static final Pattern ASPECT_RATIO = Pattern.compile("(\\d{1,4}):(\\d{1,4})");

  private final InspectionSettings settings;

  public ArtifactInspector(InspectionSettings settings) {
    this.settings = settings;
  }

  /**
   * @param content the staged bytes
   * @param declaredContentType the content type the generation service announced
   * @param aspectRatio the ratio the job asked for, e.g. {@code 16:9}
   * @param expectedSha256 the hex SHA-256 the generation service announced
   * @throws ArtifactRejectedException when a check fails
   */
  public InspectedImage inspect(byte[] content, String declaredContentType, String aspectRatio, String expectedSha256) {
    if (content == null || content.length == 0) {
      throw new ArtifactRejectedException("The staged artifact is empty");
    }
    long limit = settings.maxSize().toBytes();
    if (content.length > limit) {
      throw new ArtifactRejectedException(
          "The image has " + content.length + " bytes, more than the limit of " + limit + " bytes");
    }
    ImageFormat declared = ImageFormat.fromContentType(declaredContentType)
        .orElseThrow(() -> new ArtifactRejectedException("Unsupported content type '" + declaredContentType
            + "': expected " + ImageFormat.supportedContentTypes()));
    ImageFormat actual = ImageFormat.sniff(content)
        .orElseThrow(() -> new ArtifactRejectedException(
            "The bytes are not a PNG, JPEG or WebP image although " + declared.contentType() + " was declared"));
    if (actual != declared) {
      throw new ArtifactRejectedException(
          "Declared " + declared.contentType() + " but the bytes are a " + actual + " image");
    }
    ImageHeaders.Size size;
    try {
      size = ImageHeaders.read(actual, content);
    } catch (MalformedImageException malformed) {
      throw new ArtifactRejectedException(malformed.getMessage());
    }
    checkAspectRatio(size, aspectRatio);
    String sha256 = Sha256.hex(content);
    if (expectedSha256 == null || !sha256.equals(expectedSha256.toLowerCase(Locale.ROOT))) {
      throw new ArtifactRejectedException(
          "SHA-256 of the staged bytes is " + sha256 + " but " + expectedSha256 + " was announced");
    }
    return new InspectedImage(actual, size.width(), size.height(), content.length, sha256);
  }

  private void checkAspectRatio(ImageHeaders.Size size, String aspectRatio) {
    Matcher matcher = aspectRatio == null ? null : ASPECT_RATIO.matcher(aspectRatio);
    if (matcher == null || !matcher.matches()
        || Integer.parseInt(matcher.group(1)) == 0 || Integer.parseInt(matcher.group(2)) == 0) {
      throw new ArtifactRejectedException("The job's aspect ratio '" + aspectRatio + "' is not of the form W:H");
    }
    double expected = Double.parseDouble(matcher.group(1)) / Double.parseDouble(matcher.group(2));
    double actual = (double) size.width() / size.height();
    if (Math.abs(actual / expected - 1) > settings.aspectRatioTolerance()) {
      throw new ArtifactRejectedException(String.format(Locale.ROOT,
          "The image is %dx%d (ratio %.3f) but the job asked for %s (%.3f), beyond the %.1f%% tolerance",
          size.width(), size.height(), actual, aspectRatio, expected, settings.aspectRatioTolerance() * 100));
    }
  }
}
