package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageReaders;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.storage.images.ImageHeaders;
import dev.imagejobs.storage.images.MalformedImageException;
import dev.imagejobs.storage.images.PngHeader;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.Hashtable;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * Makes an EDIT job's result from its source, its mask and the image the provider answered with,
 * whatever the provider did with the mask: the result is a PNG at the source's size; where the mask
 * is opaque (alpha 128 or more) its pixels are the provider's, resized to the source's size when the
 * provider answered at another; everywhere else they are the source's, sample for sample (8- and
 * 16-bit, grey, with or without alpha, decoded JPEG), since they are copied from the source's
 * decoded raster into a picture of the same type. Only a palette source is widened to 8-bit RGB(A):
 * its colours stay exactly the palette's, and the edit is not forced onto the palette. Without a
 * mask, the result is the provider's image at the source's size.
 *
 * <p>{@link #prepare} checks and decodes the source and the mask before the provider call, so an
 * edit that cannot be composited fails before anything is paid for; {@link #composite} then runs
 * once the provider answered. EditCompositorTest compares every sample.
 */
final class EditCompositor {
  static final String MASK_INVALID = "MASK_INVALID";
  static final String SOURCE_UNDECODABLE = "EDIT_SOURCE_UNDECODABLE";
  static final String UNREADABLE_RESULT = "EDIT_UNREADABLE_RESULT";
  static final String RESULT_TYPE = ImageFormat.PNG.contentType();
  /** The least alpha, on an 8-bit scale, of a mask pixel that lets the provider's pixel through. */
  static final int OPAQUE_FROM = 128;

  private final EditInput input;
  private final ImageHeaders.Size size;
  /** The decoded source, never drawn on; null without a mask, which needs only its size. */
  private final BufferedImage source;
  /** The pixels the edit may change, row by row ({@code y * width + x}); null without a mask. */
  private final BitSet changeable;

  private EditCompositor(EditInput input, ImageHeaders.Size size, BufferedImage source, BitSet changeable) {
    this.input = input;
    this.size = size;
    this.source = source;
    this.changeable = changeable;
  }

  /**
   * Reads what compositing {@code edit} needs: the source's size and, with a mask, the decoded
   * source and the mask's opaque pixels.
   *
   * @throws ProviderException PERMANENT {@value #MASK_INVALID} for a mask that is not a PNG of the
   *     source's size with an alpha channel (or does not decode), PERMANENT
   *     {@value #SOURCE_UNDECODABLE} for a source whose size cannot be read or which must be decoded
   *     (there is a mask) and cannot be (WebP)
   */
  static EditCompositor prepare(EditInput edit) {
    ImageHeaders.Size size = sourceSize(edit.source());
    if (!edit.hasMask()) {
      return new EditCompositor(edit, size, null, null);
    }
    checkMask(edit.mask().content(), size);
    BufferedImage source = decode(edit.source().content()).orElseThrow(() -> new ProviderException(
        ErrorClass.PERMANENT, SOURCE_UNDECODABLE, "edit: the source image (" + edit.source().contentType()
            + ") cannot be decoded here, so its pixels outside the mask cannot be kept; send a PNG or JPEG "
            + "source, or no mask"));
    if (source.getWidth() != size.width() || source.getHeight() != size.height()) {
      throw new ProviderException(ErrorClass.PERMANENT, SOURCE_UNDECODABLE, "edit: the source image decodes to "
          + source.getWidth() + "x" + source.getHeight() + " pixels where its header says " + size.width() + "x"
          + size.height());
    }
    BufferedImage mask = decode(edit.mask().content()).orElseThrow(() ->
        new ProviderException(ErrorClass.PERMANENT, MASK_INVALID, "mask: the PNG does not decode"));
    return new EditCompositor(edit, size, keepable(source), opaquePixels(mask));
  }

  /** The source and mask this compositor was prepared for, as the provider gets them. */
  EditInput input() {
    return input;
  }

  /** The source's size: the result's. */
  ImageHeaders.Size size() {
    return size;
  }

  /**
   * The result of the edit: {@code generated} resized to the source's size and, with a mask, laid
   * over the source where the mask is opaque; a PNG.
   *
   * @throws ProviderException PERMANENT {@value #UNREADABLE_RESULT} when {@code generated} does not
   *     decode
   */
  ArtifactBytes composite(ArtifactBytes generated) {
    String type = generated.contentType() == null ? "of no declared type" : generated.contentType();
    BufferedImage image = decode(generated.content()).orElseThrow(() -> new ProviderException(
        ErrorClass.PERMANENT, UNREADABLE_RESULT, "edit: the provider's image (" + type + ", "
            + generated.content().length + " bytes) cannot be decoded, so it cannot be laid over the source image"));
    BufferedImage resized = Resampling.resize(image, size.width(), size.height());
    return new ArtifactBytes(png(source == null ? resized : masked(resized)), RESULT_TYPE);
  }

  /** A copy of the source whose changeable pixels are {@code generated}'s, in the source's pixel format. */
  private BufferedImage masked(BufferedImage generated) {
    ColorModel model = source.getColorModel();
    BufferedImage result = new BufferedImage(model, source.copyData(null), model.isAlphaPremultiplied(),
        new Hashtable<>());
    int width = size.width();
    int[] row = new int[width];
    int loadedRow = -1;
    for (int i = changeable.nextSetBit(0); i >= 0; i = changeable.nextSetBit(i + 1)) {
      int y = i / width;
      if (y != loadedRow) {
        generated.getRGB(0, y, width, 1, row, 0, width);
        loadedRow = y;
      }
      result.setRGB(i % width, y, row[i % width]);
    }
    return result;
  }

  private static ImageHeaders.Size sourceSize(ReferenceInput source) {
    Optional<ImageFormat> format = ImageFormat.sniff(source.content())
        .or(() -> ImageFormat.fromContentType(source.contentType()));
    if (format.isEmpty()) {
      throw new ProviderException(ErrorClass.PERMANENT, SOURCE_UNDECODABLE,
          "edit: the source image is not a PNG, JPEG or WebP image");
    }
    try {
      return ImageHeaders.read(format.get(), source.content());
    } catch (MalformedImageException malformed) {
      throw new ProviderException(ErrorClass.PERMANENT, SOURCE_UNDECODABLE,
          "edit: the source image's size cannot be read: " + malformed.getMessage(), malformed);
    }
  }

  /** A PNG of the source's size with an alpha value per pixel, read from its header alone. */
  private static void checkMask(byte[] mask, ImageHeaders.Size source) {
    PngHeader header = PngHeader.read(mask).orElseThrow(() -> new ProviderException(ErrorClass.PERMANENT,
        MASK_INVALID, "mask: not a PNG, or its header is cut short; a mask is a PNG with an alpha channel"));
    if (header.width() != source.width() || header.height() != source.height()) {
      throw new ProviderException(ErrorClass.PERMANENT, MASK_INVALID, "mask is " + header.width() + "x"
          + header.height() + ", the source image is " + source.width() + "x" + source.height());
    }
    if (!header.hasAlpha()) {
      throw new ProviderException(ErrorClass.PERMANENT, MASK_INVALID, "mask has no alpha channel: it is "
          + header.colourTypeName() + " without a tRNS chunk; its opaque pixels (alpha " + OPAQUE_FROM
          + " or more) mark the region to change");
    }
  }

  /** The pixels whose alpha, on an 8-bit scale, is {@value #OPAQUE_FROM} or more. */
  private static BitSet opaquePixels(BufferedImage mask) {
    int width = mask.getWidth();
    int[] row = new int[width];
    BitSet opaque = new BitSet(width * mask.getHeight());
    for (int y = 0; y < mask.getHeight(); y++) {
      mask.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        if (row[x] >>> 24 >= OPAQUE_FROM) {
          opaque.set(y * width + x);
        }
      }
    }
    return opaque;
  }

  /**
   * The source as the result's starting point: itself, or for a palette source the same colours in
   * 8-bit RGB(A), so the edit's pixels need not be forced onto the palette.
   */
  private static BufferedImage keepable(BufferedImage source) {
    if (!(source.getColorModel() instanceof IndexColorModel)) {
      return source;
    }
    int width = source.getWidth();
    BufferedImage widened = new BufferedImage(width, source.getHeight(),
        source.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width];
    for (int y = 0; y < source.getHeight(); y++) {
      source.getRGB(0, y, width, 1, row, 0, width);
      widened.setRGB(0, y, width, 1, row, 0, width);
    }
    return widened;
  }

  private static Optional<BufferedImage> decode(byte[] content) {
    return ImageReaders.withReader(content, reader -> reader.read(0));
  }

  private static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("No PNG writer takes a picture of type " + image.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
