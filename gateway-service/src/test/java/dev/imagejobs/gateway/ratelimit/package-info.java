/** Tests of the per-tenant creation rate limit. */
package dev.imagejobs.gateway.ratelimit;
