package dev.imagejobs.upload.inspection;

import dev.imagejobs.storage.images.ImageFormat;

/**
 * An image that passed every check, with what was measured.
 *
 * @param format the format its bytes and declared type agree on
 * @param width width in pixels, from the header
 * @param height height in pixels, from the header
 * @param sizeBytes length of the bytes
 * @param sha256 lower-case hex SHA-256 of the bytes
 */
public record InspectedImage(ImageFormat format, int width, int height, long sizeBytes, String sha256) {}
