package dev.imagejobs.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.util.unit.DataSize;

/**
 * What each image model can take, in one place for the gateway (which refuses at creation what the
 * job's model cannot take) and generation (which fails such a job before any call, should the
 * settings differ): the built-in models, with what their documentation says, overridden or extended
 * by {@code imagejobs.models.catalogue.<model>.*}. A model the catalogue does not know takes no
 * reference images.
 */
public final class ModelCatalogue {
  /** The image types every built-in model takes (Gemini's documented input types, less HEIC). */
  public static final List<String> IMAGE_TYPES = List.of("image/png", "image/jpeg", "image/webp");

  /** The most variants a job may ask for, of any model: each is a provider call of its own. */
  public static final int MAX_VARIANTS = 4;

  /** Gemini's documented largest inline image. */
  private static final DataSize INLINE_IMAGE_LIMIT = DataSize.ofMegabytes(7);

  private static final Map<String, ModelCapabilities> BUILT_IN = Map.of(
      // The local provider composes any number; 14 keeps it in step with the largest Gemini model.
      "local-v1", new ModelCapabilities(14, INLINE_IMAGE_LIMIT, IMAGE_TYPES, true, MAX_VARIANTS),
      // "For best results using Gemini 2.5 Flash Image, include a maximum of three images in an input."
      "gemini-2.5-flash-image", new ModelCapabilities(3, INLINE_IMAGE_LIMIT, IMAGE_TYPES, true, MAX_VARIANTS),
      "gemini-2.5-flash-image-preview", new ModelCapabilities(3, INLINE_IMAGE_LIMIT, IMAGE_TYPES, true, MAX_VARIANTS),
      // "... using Gemini 3 Pro Image, include a maximum of 14 images in an input."
      "gemini-3-pro-image-preview", new ModelCapabilities(14, INLINE_IMAGE_LIMIT, IMAGE_TYPES, true, MAX_VARIANTS));

  private final Map<String, ModelCapabilities> models;

  public ModelCatalogue(ModelSettings settings) {
    Map<String, ModelCapabilities> all = new LinkedHashMap<>(BUILT_IN);
    all.putAll(settings.catalogue());
    this.models = Map.copyOf(all);
  }

  /** What {@code model} can take; empty for a model the catalogue does not know. */
  public Optional<ModelCapabilities> of(String model) {
    return Optional.ofNullable(model == null ? null : models.get(model));
  }

  /** What {@code model} can take; a model the catalogue does not know takes no reference images. */
  public ModelCapabilities capabilitiesOf(String model) {
    return of(model).orElse(ModelCapabilities.NONE);
  }

  /**
   * What one model can take.
   *
   * @param maxReferenceImages how many reference images one call may carry (0: none)
   * @param maxReferenceSize the largest reference image
   * @param referenceTypes the media types of the reference images it takes
   * @param edits whether it changes an image it is given as an instruction says (EDIT jobs); false
   *     unless declared, so a model configured without it gets no edits
   * @param maxVariants how many variants of one request a job may ask for, 1 to {@link #MAX_VARIANTS};
   *     1 (no variations) unless declared
   */
  public record ModelCapabilities(int maxReferenceImages, DataSize maxReferenceSize, List<String> referenceTypes,
      boolean edits, int maxVariants) {
    /** A model that takes no reference images. */
    public static final ModelCapabilities NONE = new ModelCapabilities(0, DataSize.ofBytes(0), List.of(), false, 1);

    public ModelCapabilities {
      if (maxReferenceImages < 0) {
        throw new IllegalArgumentException("max-reference-images must not be negative");
      }
      maxReferenceSize = maxReferenceSize == null ? INLINE_IMAGE_LIMIT : maxReferenceSize;
      referenceTypes = referenceTypes == null ? IMAGE_TYPES : List.copyOf(referenceTypes);
      maxVariants = maxVariants == 0 ? 1 : maxVariants;
      if (maxVariants < 1 || maxVariants > MAX_VARIANTS) {
        throw new IllegalArgumentException("max-variants must be 1 to " + MAX_VARIANTS + ", not " + maxVariants);
      }
    }

    /** Why this model cannot make {@code variants} images of one request, or empty when it can. */
    public Optional<String> variantsRefusal(String model, int variants) {
      return variants <= maxVariants ? Optional.empty()
          : Optional.of("model " + model + " makes at most " + maxVariants + " variants of a request, not " + variants);
    }

    /** Why this model cannot run an EDIT job, or empty when it can. */
    public Optional<String> editRefusal(String model) {
      return edits ? Optional.empty() : Optional.of("model " + model + " does not edit images");
    }

    /**
     * Why this model cannot take {@code count} reference images of these types and sizes, or empty
     * when it can.
     *
     * @param model the model's id, as the reason names it
     */
    public Optional<String> refusal(String model, List<ReferenceShape> references) {
      if (references.isEmpty()) {
        return Optional.empty();
      }
      if (maxReferenceImages == 0) {
        return Optional.of("model " + model + " takes no reference images");
      }
      if (references.size() > maxReferenceImages) {
        return Optional.of("model " + model + " takes at most " + maxReferenceImages + " reference images, not "
            + references.size());
      }
      for (int i = 0; i < references.size(); i++) {
        ReferenceShape reference = references.get(i);
        if (!referenceTypes.contains(reference.contentType())) {
          return Optional.of("reference image " + (i + 1) + " is " + reference.contentType() + "; model " + model
              + " takes " + String.join(", ", referenceTypes));
        }
        if (reference.sizeBytes() > maxReferenceSize.toBytes()) {
          return Optional.of("reference image " + (i + 1) + " has " + reference.sizeBytes() + " bytes; model "
              + model + " takes at most " + maxReferenceSize.toBytes());
        }
      }
      return Optional.empty();
    }
  }

  /** What the catalogue checks of a reference image: its type and size. */
  public record ReferenceShape(String contentType, long sizeBytes) {}
}
