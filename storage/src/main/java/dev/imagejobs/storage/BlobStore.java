package dev.imagejobs.storage;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where image bytes live: the staging area written by generation and the final images written by
 * upload. Paths are relative, '/'-separated and validated by {@link BlobPath}; writes are
 * create-if-absent so a redelivered message never overwrites a stored object. The one exception is
 * {@link #copyReplacing}, for the few objects meant to change (the path of a job of several
 * variants, which holds the variant chosen last).
 */
public interface BlobStore {

  /**
   * Stores {@code content} at {@code path} unless an object already exists there, durably
   * ({@link Durability#SURVIVES_MACHINE_CRASH}).
   *
   * @return {@link PutOutcome#CREATED}, or {@link PutOutcome#ALREADY_EXISTS} leaving the existing object untouched
   * @throws StorageException when the store cannot be written (callers may retry)
   */
  PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata);

  /**
   * Stores {@code content} at {@code path} unless an object already exists there, as durably as
   * {@code durability} asks: at least that, since a store whose every write is durable (a bucket)
   * ignores it. With {@link Durability#SURVIVES_MACHINE_CRASH}, an object already there is durable
   * too when {@link PutOutcome#ALREADY_EXISTS} is answered.
   *
   * @throws StorageException when the store cannot be written (callers may retry)
   */
  default PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata, Durability durability) {
    return putIfAbsent(path, content, metadata);
  }

  /**
   * Stores at {@code target}, unless an object already exists there, the bytes of the object at
   * {@code source} with {@code metadata} of its own, without sending the bytes again where the store
   * can avoid it (filesystem: a hard link to the same file; bucket: a copy made by the bucket). The
   * source stays. Meant for objects that are never rewritten, such as staged images: what a caller
   * read from {@code source} before is what gets copied.
   *
   * @return {@link PutOutcome#CREATED}, or {@link PutOutcome#ALREADY_EXISTS} leaving the existing object untouched
   * @throws MissingObjectException when there is no object at {@code source}
   * @throws StorageException when the store cannot be written
   */
  default PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    byte[] content = get(source)
        .orElseThrow(() -> new MissingObjectException("Cannot copy " + source + ": no such object", null))
        .content();
    return putIfAbsent(target, content, metadata, durability);
  }

  /**
   * Stores at {@code target} the bytes of the object at {@code source} with {@code metadata} of its
   * own, replacing whatever object is there (or creating one), as durably as {@code durability}
   * asks. The only write that replaces: readers of {@code target} see the old object or the new one,
   * each whole with its own metadata, never a missing, partial or mixed one, and after a crash at
   * any moment they see one or the other too. The source stays. Like {@link #copyIfAbsent}, meant
   * for sources that are never rewritten (stored images): what a caller read from {@code source}
   * before is what gets copied. Repeating the call leaves the same object; of two concurrent calls
   * one wins whole.
   *
   * <p>This default refuses: a store offers it only where it can replace an object atomically.
   *
   * @throws MissingObjectException when there is no object at {@code source}; {@code target} is untouched
   * @throws StorageException when the store cannot be written (callers may retry)
   */
  default void copyReplacing(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot replace objects");
  }

  /** The object at {@code path}, if any. */
  Optional<Blob> get(BlobPath path);

  /**
   * The object at {@code path}, if any, opened for reading without holding its bytes in memory,
   * for serving it to a client. The caller closes it. This default reads the object whole through
   * {@link #get}; stores that can stream override it.
   *
   * @throws StorageException when the store cannot be read
   */
  default Optional<BlobStream> openStream(BlobPath path) {
    return get(path).map(blob -> new BlobStream(
        new ByteArrayInputStream(blob.content()), blob.content().length, blob.metadata()));
  }

  /**
   * Removes the object; {@code true} if it existed. A delete survives a crash of the process; after a
   * crash of the machine a local store may show the object again, so callers delete only what may
   * come back harmlessly (a staged copy already stored, which the sweep removes again).
   */
  boolean delete(BlobPath path);

  /**
   * The objects below {@code folder}, at any depth, with their creation times, in path order. Used by
   * sweepers; the listing of a large folder is read whole, so keep swept folders small.
   */
  List<BlobListing> list(BlobPath folder);

  /** Where the object lives, e.g. {@code file:///var/images/...} or {@code gs://bucket/...}. */
  URI uri(BlobPath path);

  /**
   * A URL that lets its holder GET the object directly from the store until {@code expiry} has
   * passed, for stores that can sign one; empty otherwise (the bytes are then served by the caller).
   * Does not check that the object exists.
   */
  default Optional<URI> signedUrl(BlobPath path, Duration expiry) {
    return Optional.empty();
  }
}
