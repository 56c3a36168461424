package dev.imagejobs.examples;

/**
 * What a downstream service typically keeps of a completed image job.
 *
 * @param jobId the job
 * @param tenantId who asked
 * @param projectId the project the image belongs to
 * @param jobType ASSET_IMAGE_KEY, START_FRAME or END_FRAME
 * @param objectUri where the image is (gs://… or file://…)
 * @param sha256 the image's checksum
 * @param actualCostMicros what it cost, in millionths of a US dollar
 */
public record CompletedImage(
    String jobId, String tenantId, String projectId, String jobType, String objectUri, String sha256,
    long actualCostMicros) {}
