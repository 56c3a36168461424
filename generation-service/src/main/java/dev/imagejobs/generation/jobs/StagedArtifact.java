package dev.imagejobs.generation.jobs;

/**
 * An image in the staging area, described as {@code ImageGenerated} announces it.
 *
 * @param ref the staging path inside the bucket
 * @param contentType MIME type
 * @param sizeBytes size in bytes
 * @param sha256 lower-case hex SHA-256 of the bytes
 * @param width pixels, or 0 when the format has no reader here
 * @param height pixels, or 0 when the format has no reader here
 * @param costMicros what the provider call that produced it cost, as recorded when it was staged
 */
record StagedArtifact(
    String ref, String contentType, long sizeBytes, String sha256, int width, int height, long costMicros) {}
