package dev.imagejobs.storage;

import java.time.Instant;

/**
 * One object in a {@link BlobStore#list} answer.
 *
 * @param path where it is
 * @param sizeBytes its size
 * @param createdAt when it was written
 */
public record BlobListing(BlobPath path, long sizeBytes, Instant createdAt) {}
