package dev.imagejobs.gateway.idempotency;

/**
 * The response a request with an idempotency key got, replayed as is for the same key and body.
 *
 * @param status the HTTP status
 * @param location the {@code Location} header, or {@code null}
 * @param body the exact JSON body
 * @param replayed whether this is a replay rather than the first answer
 */
public record StoredResponse(int status, String location, String body, boolean replayed) {}
