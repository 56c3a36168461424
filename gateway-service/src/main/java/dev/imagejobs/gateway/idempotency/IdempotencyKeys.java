package dev.imagejobs.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The store of idempotency keys. A creation claims its key first, in the transaction that creates
 * the job, and records the response before committing; a concurrent request with the same key
 * blocks on the key's primary key until then, finds it claimed, and replays the stored response
 * ({@code IdempotencyIT} fires twenty at once and gets one job).
 */
@Component
public class IdempotencyKeys {
  private final DatabaseClient db;
  private final IdempotencySettings settings;

  IdempotencyKeys(DatabaseClient db, IdempotencySettings settings) {
    this.db = db;
    this.settings = settings;
  }

  /** Reads the {@code Idempotency-Key} header; fails with a 400 problem when it is not acceptable. */
  public IdempotencyKey parse(String header) {
    return IdempotencyKey.parse(header, settings.maxKeyLength());
  }

  /** The SHA-256 of a request's canonical form, in hex. */
  public static String fingerprint(String canonicalRequest) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * Claims the key for a new request, or takes over an expired one. Emits {@code false} when a
   * live claim exists (waiting for a concurrent claimer's transaction to end first). Call inside the
   * transaction that creates the job.
   */
  public Mono<Boolean> claim(String tenantId, IdempotencyKey key, String fingerprint) {
    return db.sql("""
            INSERT INTO idempotency_keys (tenant_id, idempotency_key, fingerprint, expires_at)
            VALUES (:tenant_id, :key, :fingerprint, now() + :ttl_ms * interval '1 millisecond')
            ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
              SET fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at, created_at = now(),
                  job_id = NULL, response_status = NULL, response_location = NULL, response_body = NULL
              WHERE idempotency_keys.expires_at <= now()
            RETURNING true""")
        .bind("tenant_id", tenantId)
        .bind("key", key.value())
        .bind("fingerprint", fingerprint)
        .bind("ttl_ms", settings.ttl().toMillis())
        .map(row -> Boolean.TRUE)
        .one()
        .defaultIfEmpty(Boolean.FALSE);
  }

  /** Records the response of the request that claimed the key. Call inside the claiming transaction. */
  public Mono<Void> complete(String tenantId, IdempotencyKey key, String jobId, StoredResponse response) {
    return db.sql("""
            UPDATE idempotency_keys
            SET job_id = :job_id, response_status = :status, response_location = :location, response_body = :body
            WHERE tenant_id = :tenant_id AND idempotency_key = :key""")
        .bind("job_id", jobId)
        .bind("status", response.status())
        .bind("location", response.location())
        .bind("body", response.body())
        .bind("tenant_id", tenantId)
        .bind("key", key.value())
        .fetch()
        .rowsUpdated()
        .then();
  }

  /**
   * The stored response of a live key, marked as a replay; empty when the key is unknown or expired.
   *
   * @throws IdempotencyKeyReusedException (as an error signal) when the key was used with another request
   */
  public Mono<StoredResponse> replay(String tenantId, IdempotencyKey key, String fingerprint) {
    return db.sql("""
            SELECT fingerprint, response_status, response_location, response_body FROM idempotency_keys
            WHERE tenant_id = :tenant_id AND idempotency_key = :key AND expires_at > now()
              AND response_status IS NOT NULL""")
        .bind("tenant_id", tenantId)
        .bind("key", key.value())
        .map(row -> new Stored(
            row.get("fingerprint", String.class),
            new StoredResponse(row.get("response_status", Integer.class), row.get("response_location", String.class),
                row.get("response_body", String.class), true)))
        .one()
        .flatMap(stored -> stored.fingerprint().equals(fingerprint)
            ? Mono.just(stored.response())
            : Mono.error(new IdempotencyKeyReusedException()));
  }

  /** Deletes expired keys; emits how many. */
  Mono<Long> deleteExpired() {
    return db.sql("DELETE FROM idempotency_keys WHERE expires_at <= now()").fetch().rowsUpdated();
  }

  private record Stored(String fingerprint, StoredResponse response) {}
}
