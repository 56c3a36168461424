package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The images a job's provider call needs, as its spec names them: its reference images and, for an
 * EDIT job, the source image sent before them and the mask that is never sent. What they take in
 * memory is counted here, for {@link ReferenceLoader}'s budget.
 *
 * @param source the image an EDIT job changes, or null for any other job
 * @param references the job's reference images, in order
 * @param mask the mask of an EDIT job, or null when it has none (and for any other job)
 */
record JobImages(ReferenceImage source, List<ReferenceImage> references, ReferenceImage mask) {
  static final String EDIT_INVALID = "EDIT_INVALID";
  /** Bytes of one decoded pixel, as the budget counts it: 8-bit RGBA. */
  static final long BYTES_PER_PIXEL = 4;
  /** Source-sized pictures an edit with a mask holds while it is composited: source, generated, result, mask. */
  static final int PICTURES_WITH_MASK = 4;
  /** Without a mask the source is not decoded: the generated picture and the result. */
  static final int PICTURES_WITHOUT_MASK = 2;

  JobImages {
    references = List.copyOf(references);
  }

  /**
   * The images of {@code spec}.
   *
   * @throws ProviderException PERMANENT {@value #EDIT_INVALID} for an EDIT job without its edit or
   *     another job with one
   */
  static JobImages of(JobSpec spec) {
    ImageEdit edit = spec.getEdit();
    boolean editJob = spec.getJobType() == JobType.EDIT;
    if (editJob && edit == null) {
      throw new ProviderException(ErrorClass.PERMANENT, EDIT_INVALID,
          "edit: the EDIT job names no source image to change (its spec has no edit)");
    }
    if (!editJob && edit != null) {
      throw new ProviderException(ErrorClass.PERMANENT, EDIT_INVALID,
          "edit: a " + spec.getJobType() + " job names an image to edit; only EDIT jobs change an image");
    }
    return edit == null
        ? new JobImages(null, spec.getReferences(), null)
        : new JobImages(edit.getSource(), spec.getReferences(), edit.getMask());
  }

  boolean isEdit() {
    return source != null;
  }

  boolean isEmpty() {
    return source == null && references.isEmpty();
  }

  /** The images the provider gets, in order: the source first for an edit, then the references. */
  List<ReferenceImage> sent() {
    if (source == null) {
      return references;
    }
    List<ReferenceImage> sent = new ArrayList<>(references.size() + 1);
    sent.add(source);
    sent.addAll(references);
    return List.copyOf(sent);
  }

  /** What the image files take by their specs, the mask included. */
  long declaredBytes() {
    long total = 0;
    for (ReferenceImage image : sent()) {
      total += Math.max(0, image.getSizeBytes());
    }
    return mask == null ? total : total + Math.max(0, mask.getSizeBytes());
  }

  /**
   * About what the decoded pictures of an edit take while it is composited, at the source's size as
   * its spec declares it; 0 for another job, and {@link Long#MAX_VALUE} for a source whose size the
   * spec does not declare (the caller caps it at what it can hold).
   */
  long decodedBytes() {
    if (source == null) {
      return 0;
    }
    if (source.getWidth() <= 0 || source.getHeight() <= 0) {
      return Long.MAX_VALUE;
    }
    long pixels = (long) source.getWidth() * source.getHeight();
    return pixels * BYTES_PER_PIXEL * (mask == null ? PICTURES_WITHOUT_MASK : PICTURES_WITH_MASK);
  }

  /** How messages name the images: "2 reference images", "source image, mask and 1 reference image". */
  String describe() {
    String referencesText = references.size() + (references.size() == 1 ? " reference image" : " reference images");
    if (source == null) {
      return referencesText;
    }
    List<String> parts = new ArrayList<>(List.of("source image"));
    if (mask != null) {
      parts.add("mask");
    }
    if (!references.isEmpty()) {
      parts.add(referencesText);
    }
    return parts.size() == 1 ? parts.get(0)
        : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }
}
