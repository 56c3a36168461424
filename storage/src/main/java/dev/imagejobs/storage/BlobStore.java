package dev.imagejobs.storage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where image bytes live: the staging area written by generation and the final images written by
 * upload. Paths are relative, '/'-separated and validated by {@link BlobPath}; writes are
 * create-if-absent so a redelivered message never overwrites a stored object.
 */
public interface BlobStore {

  /**
   * Stores {@code content} at {@code path} unless an object already exists there.
   *
   * @return {@link PutOutcome#CREATED}, or {@link PutOutcome#ALREADY_EXISTS} leaving the existing object untouched
   * @throws StorageException when the store cannot be written (callers may retry)
   */
  PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata);

  /** The object at {@code path}, if any. */
  Optional<Blob> get(BlobPath path);

  /** Removes the object; {@code true} if it existed. */
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
