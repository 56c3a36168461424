package dev.imagejobs.generation.jobs;

/**
 * An artifact in the staging area (or, for a provider that answered with a URL, where to fetch it).
 *
 * @param ref the staging path, or an https URL
 * @param contentType MIME type
 * @param sizeBytes size, or -1 when unknown (URL)
 * @param sha256 lower-case hex SHA-256, or empty when unknown (URL)
 * @param width pixels, or 0 when unknown
 * @param height pixels, or 0 when unknown
 */
record StagedArtifact(String ref, String contentType, long sizeBytes, String sha256, int width, int height) {}
