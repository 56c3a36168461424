/**
 * Rate limits of job creation per tenant: token buckets in the memory of each gateway instance, so
 * the effective limit of a deployment is the per-instance limit times the number of instances.
 */
package dev.imagejobs.gateway.ratelimit;
