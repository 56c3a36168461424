package dev.imagejobs.gateway.idempotency;

import dev.imagejobs.gateway.readmodel.SqlPart;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The store of idempotency keys. A creation claims its key, with the response it will give, in
 * the statement that creates the job; a concurrent request with the same key blocks on the key's
 * primary key until then, finds it claimed, and replays the stored response ({@code IdempotencyIT}
 * fires twenty at once and gets one job).
 */
@Component
public class IdempotencyKeys {
  private static final long DELETE_BATCH = 1000;

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
   * Defines {@code claimed}, which claims the key for a new request whose response is
   * {@code response}, or takes over an expired key, when the part named {@code guard} returned a
   * row (always when {@code guard} is null). It returns a row only when the key was claimed; a live
   * claim of a concurrent request makes the statement wait for that request's transaction to end,
   * then returns nothing.
   *
   * @param jobId the job the request created, null when it created several (a batch)
   */
  public SqlPart claimed(
      String guard, String tenantId, IdempotencyKey key, String fingerprint, String jobId, StoredResponse response) {
    return new SqlPart("""
        claimed AS (
          INSERT INTO idempotency_keys (tenant_id, idempotency_key, fingerprint, expires_at, job_id,
                                        response_status, response_location, response_body)
          SELECT :key_tenant, :key_value, :key_fingerprint, now() + :key_ttl_ms * interval '1 millisecond', :key_job_id,
                 :key_status, :key_location, :key_body
          WHERE %s
          ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at, created_at = now(),
                job_id = EXCLUDED.job_id, response_status = EXCLUDED.response_status,
                response_location = EXCLUDED.response_location, response_body = EXCLUDED.response_body
            WHERE idempotency_keys.expires_at <= now()
          RETURNING 1)""".formatted(guard == null ? "TRUE" : "EXISTS (SELECT FROM " + guard + ")"), Map.of(
        "key_tenant", tenantId,
        "key_value", key.value(),
        "key_fingerprint", fingerprint,
        "key_ttl_ms", settings.ttl().toMillis(),
        "key_job_id", SqlPart.nullable(jobId, String.class),
        "key_status", response.status(),
        "key_location", SqlPart.nullable(response.location(), String.class),
        "key_body", response.body()));
  }

  /**
   * Claims the key for a request that creates several jobs, in the caller's transaction, before
   * they are written: rolled back with them when one is refused.
   *
   * @return whether the key was claimed; false once a concurrent request with the same key has
   *     committed (the caller replays its response)
   */
  public Mono<Boolean> claim(String tenantId, IdempotencyKey key, String fingerprint, StoredResponse response) {
    return SqlPart.with(List.of(claimed(null, tenantId, key, fingerprint, null, response)),
            new SqlPart("SELECT EXISTS (SELECT FROM claimed) AS claimed", Map.of()))
        .on(db)
        .map(row -> Boolean.TRUE.equals(row.get("claimed", Boolean.class)))
        .one();
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

  /**
   * Deletes expired keys in short transactions of at most {@code DELETE_BATCH} rows each, so a
   * large backlog of expired keys never holds a transaction open (which would hold back every
   * event stream, see ReadModel); emits how many.
   */
  Mono<Long> deleteExpired() {
    return deleteBatch()
        .expand(deleted -> deleted < DELETE_BATCH ? Mono.empty() : deleteBatch())
        .reduce(0L, Long::sum);
  }

  private Mono<Long> deleteBatch() {
    return db.sql("""
            DELETE FROM idempotency_keys WHERE ctid IN (
              SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT :batch)""")
        .bind("batch", DELETE_BATCH)
        .fetch()
        .rowsUpdated();
  }

  private record Stored(String fingerprint, StoredResponse response) {}
}
