package dev.imagejobs.infra.benchmark;

/**
 * How the gateway answered one {@code POST /api/v1/images/jobs}.
 *
 * @param status the HTTP status
 * @param jobId the created job's id on a 202, else null
 * @param retryAfter whether the answer carried a {@code Retry-After} header
 */
record PostOutcome(int status, String jobId, boolean retryAfter) {}
