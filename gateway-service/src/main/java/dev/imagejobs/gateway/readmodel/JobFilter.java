package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;

/**
 * Which jobs of a tenant a list shows.
 *
 * @param tenantId the tenant; always required
 * @param projectId only this project, or {@code null} for every project
 * @param status only jobs in this status, or {@code null}
 * @param jobType only jobs of this type ({@code ASSET_IMAGE_KEY}, ...), or {@code null}
 * @param priority only jobs of this priority, or {@code null}
 */
public record JobFilter(String tenantId, String projectId, JobStatus status, String jobType, Priority priority) {}
