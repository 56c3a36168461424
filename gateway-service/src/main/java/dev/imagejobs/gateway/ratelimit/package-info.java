/**
 * Admission of job creation per tenant: token buckets in the memory of each gateway instance (the
 * effective rate of a deployment is the per-instance rate times the number of instances), and a
 * limit on the tenant's queued jobs, shared by every instance through the database; and a bound on
 * the creations each instance runs at once, past which creation answers 503 at once.
 */
package dev.imagejobs.gateway.ratelimit;
