/**
 * Tests of idempotency keys: replays, reuse with another body, concurrency, expiry and cleanup.
 */
package dev.imagejobs.gateway.idempotency;
