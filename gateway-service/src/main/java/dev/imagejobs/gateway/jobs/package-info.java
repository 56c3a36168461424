/**
 * The jobs HTTP API: create a job (read-model row, outbox event and idempotency key in one
 * transaction), read, list, retry and cancel it, and serve its image to the tenant that owns it.
 */
package dev.imagejobs.gateway.jobs;
