package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.avro.ImageEdit;

/**
 * What an EDIT job changes, as its spec names it.
 *
 * @param source the image it edits, sent to the provider first
 * @param mask the PNG whose opaque pixels (alpha 128 or more) mark the region that may change, or
 *     null when the whole image may
 */
public record JobEdit(JobReference source, JobReference mask) {

  static JobEdit of(ImageEdit edit) {
    return edit == null ? null
        : new JobEdit(JobReference.of(edit.getSource()), edit.getMask() == null ? null : JobReference.of(edit.getMask()));
  }

  /** The edit as the events carry it. */
  public ImageEdit avro() {
    return ImageEdit.newBuilder().setSource(source.avro()).setMask(mask == null ? null : mask.avro()).build();
  }
}
