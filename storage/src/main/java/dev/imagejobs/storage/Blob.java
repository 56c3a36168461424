package dev.imagejobs.storage;

/**
 * A stored object.
 *
 * @param content the bytes
 * @param metadata content type and custom metadata
 */
public record Blob(byte[] content, BlobMetadata metadata) {}
