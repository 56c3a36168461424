package dev.imagejobs.gateway.readmodel;

import java.time.Instant;

/**
 * The last job of a page in newest-first order: the next page starts strictly after it.
 *
 * @param createdAt the job's creation time
 * @param jobId the job id, which breaks ties between jobs created at the same instant
 */
public record PagePosition(Instant createdAt, String jobId) {}
