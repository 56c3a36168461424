/**
 * The {@code Idempotency-Key} header (IETF httpapi draft): per tenant and key, the fingerprint of
 * the request and the response it got, stored with the job it created, replayed while the key lives.
 */
package dev.imagejobs.gateway.idempotency;
