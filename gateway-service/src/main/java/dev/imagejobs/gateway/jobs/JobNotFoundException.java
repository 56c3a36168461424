package dev.imagejobs.gateway.jobs;

/**
 * No such job for this tenant, or no image for it. Another tenant's job is reported exactly like
 * a missing one, so ids of other tenants cannot be probed.
 */
class JobNotFoundException extends RuntimeException {
  JobNotFoundException(String message) {
    super(message);
  }
}
