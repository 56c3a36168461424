package dev.imagejobs.generation.jobs;

/**
 * The bytes of a generated image, whichever way the provider handed them over.
 *
 * @param content the image file
 * @param contentType the MIME type the provider declared, or null when it declared none
 */
record ArtifactBytes(byte[] content, String contentType) {}
