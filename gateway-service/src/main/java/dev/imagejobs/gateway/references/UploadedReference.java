package dev.imagejobs.gateway.references;

import java.time.Instant;

/**
 * A reference image uploaded to a project.
 *
 * @param referenceId its id
 * @param tenantId its tenant
 * @param projectId its project
 * @param storagePath where its bytes are in the bucket
 * @param contentType {@code image/png}, {@code image/jpeg} or {@code image/webp}, after its bytes
 * @param sizeBytes its size
 * @param width its width in pixels, from its header
 * @param height its height in pixels, from its header
 * @param sha256 the SHA-256 of its bytes in hex
 * @param fileName the name the client gave it, or null
 * @param createdAt when it was uploaded
 * @param hasAlpha whether it is a PNG with an alpha channel, so it can serve as an edit's mask; null
 *     for images uploaded before this was recorded
 */
public record UploadedReference(String referenceId, String tenantId, String projectId, String storagePath,
    String contentType, long sizeBytes, int width, int height, String sha256, String fileName, Instant createdAt,
    Boolean hasAlpha) {}
