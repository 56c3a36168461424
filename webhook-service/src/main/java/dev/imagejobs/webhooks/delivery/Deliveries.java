package dev.imagejobs.webhooks.delivery;

import dev.imagejobs.messaging.WebhookEventType;
import dev.imagejobs.outbound.WebhookResponse;
import java.net.URI;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The deliveries table as the dispatcher uses it: claim what is due, record each attempt's outcome,
 * forget what ended long ago. Claims lease their rows ({@code FOR UPDATE SKIP LOCKED}, then
 * {@code leased_until}), so instances never send the same delivery at once and a crashed instance's
 * claims come due again when their lease runs out.
 */
class Deliveries {
  private static final int GONE = 410;
  /**
   * The due deliveries, at most {@code cap} minus what this instance already sends per endpoint; of a
   * job, only the endpoint's earliest pending event (the next waits until it ended); a completion
   * only once its summary is there.
   */
  private static final String CLAIM = """
      WITH busy AS (SELECT * FROM unnest(?::uuid[], ?::int[]) AS b(endpoint_id, sending)),
      due AS (
        SELECT d.id, d.endpoint_id, d.next_attempt_at FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.leased_until IS NULL OR d.leased_until < now())
          AND (d.data IS NOT NULL OR EXISTS (SELECT FROM webhook_summaries s WHERE s.job_id = d.job_id))
          AND NOT EXISTS (SELECT FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id
            AND p.job_id = d.job_id AND p.status = 'pending' AND p.id < d.id)
        ORDER BY d.next_attempt_at, d.id LIMIT 1000),
      ranked AS (
        SELECT due.id, due.next_attempt_at, row_number() OVER (PARTITION BY due.endpoint_id
          ORDER BY due.next_attempt_at, due.id) + coalesce(b.sending, 0) AS place
        FROM due LEFT JOIN busy b ON b.endpoint_id = due.endpoint_id),
      chosen AS (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.id IN (SELECT id FROM ranked WHERE place <= ? ORDER BY next_attempt_at, id LIMIT ?)
          AND d.status = 'pending' AND (d.leased_until IS NULL OR d.leased_until < now())
        FOR UPDATE OF d SKIP LOCKED)
      UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => ?), attempts = d.attempts + 1
      FROM webhook_endpoints e
      WHERE d.id IN (SELECT id FROM chosen) AND e.id = d.endpoint_id
      RETURNING d.id, d.endpoint_id, d.event_id, d.event_type, d.occurred_at, d.attempts, d.schedule_step,
        coalesce(d.data, (SELECT s.summary FROM webhook_summaries s WHERE s.job_id = d.job_id))::text AS data,
        e.url, e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret
      """;
  private static final String ATTEMPT = "INSERT INTO webhook_attempts"
      + " (delivery_id, attempt, attempted_at, status_code, latency_ms, error, response_excerpt)"
      + " SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT FROM webhook_deliveries WHERE id = ?)"
      + " ON CONFLICT (delivery_id, attempt) DO NOTHING";

  /**
   * Turns budget thresholds crossed (written by the gateway's statements) into deliveries for the
   * endpoints of their project that want them, in one statement: an alert is fanned out once.
   * A project's alerts are ordered like a job's events (ordering key {@code budget:<project>}).
   */
  private static final String FAN_OUT_BUDGET_ALERTS = """
      WITH alerts AS (
        UPDATE budget_alerts SET fanned_out_at = now() WHERE id IN (
          SELECT id FROM budget_alerts WHERE fanned_out_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
        RETURNING *)
      INSERT INTO webhook_deliveries (endpoint_id, event_id, job_id, event_type, data, occurred_at)
      SELECT e.id, 'budget-' || a.id, 'budget:' || a.project_id, ?, jsonb_build_object(
          'tenantId', a.tenant_id, 'projectId', a.project_id, 'thresholdPercent', a.threshold_percent,
          'amountUsd', round(a.amount_micros / 1000000.0, 6), 'spentUsd', round(a.spent_micros / 1000000.0, 6),
          'reservedUsd', round(a.reserved_micros / 1000000.0, 6),
          'remainingUsd', round(greatest(a.amount_micros - a.spent_micros - a.reserved_micros, 0) / 1000000.0, 6),
          'periodStart', to_char(a.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
        a.created_at
      FROM alerts a JOIN webhook_endpoints e ON e.tenant_id = a.tenant_id AND e.project_id = a.project_id
      WHERE e.enabled AND ? = ANY (e.event_types) AND e.created_at <= a.created_at
      ORDER BY a.id, e.id
      ON CONFLICT (endpoint_id, event_id) DO NOTHING
      """;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;

  Deliveries(JdbcTemplate jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  /**
   * Claims up to {@code limit} due deliveries for {@code lease}.
   *
   * @param sending how many deliveries this instance is sending to each endpoint now
   * @param perEndpoint the most this instance sends to one endpoint at once
   */
  List<DueDelivery> claim(int limit, Map<UUID, Integer> sending, int perEndpoint, Duration lease) {
    List<DueDelivery> claimed = new ArrayList<>();
    jdbc.execute((java.sql.Connection connection) -> {
      try (var statement = connection.prepareStatement(CLAIM)) {
        Array endpoints = connection.createArrayOf("uuid", sending.keySet().toArray());
        Array counts = connection.createArrayOf("int4", sending.values().toArray());
        statement.setArray(1, endpoints);
        statement.setArray(2, counts);
        statement.setInt(3, perEndpoint);
        statement.setInt(4, limit);
        statement.setDouble(5, lease.toMillis() / 1000.0);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            claimed.add(due(rows));
          }
        }
      }
      return null;
    });
    return claimed;
  }

  /** @return how many deliveries the budget thresholds crossed since the last call made */
  int fanOutBudgetAlerts() {
    String type = WebhookEventType.BUDGET_THRESHOLD.wireName();
    return jdbc.update(FAN_OUT_BUDGET_ALERTS, type, type);
  }

  /** Records a successful attempt: the delivery ended, and the endpoint is no longer failing. */
  void delivered(DueDelivery delivery, Instant attemptedAt, WebhookResponse response) {
    transactions.executeWithoutResult(status -> {
      attempt(delivery, attemptedAt, response);
      jdbc.update("UPDATE webhook_deliveries SET status = 'delivered', ended_at = now(), leased_until = NULL"
          + " WHERE id = ? AND status = 'pending'", delivery.id());
      jdbc.update("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
          delivery.endpointId());
    });
  }

  /**
   * Records a failed attempt: the delivery waits {@code retryIn} (or failed for good without one),
   * and the endpoint is disabled when it has failed every attempt for {@code disableAfter}, or at
   * once when it answered 410 Gone.
   *
   * @return the reason the endpoint was disabled for, or null when it was not (or was already)
   */
  String failed(DueDelivery delivery, Instant attemptedAt, WebhookResponse response, Duration retryIn,
      Duration disableAfter) {
    return transactions.execute(status -> {
      attempt(delivery, attemptedAt, response);
      if (retryIn == null) {
        jdbc.update("UPDATE webhook_deliveries SET status = 'failed', ended_at = now(), leased_until = NULL"
            + " WHERE id = ? AND status = 'pending'", delivery.id());
      } else {
        jdbc.update("UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => ?),"
                + " schedule_step = ? + 1, leased_until = NULL WHERE id = ? AND status = 'pending'",
            retryIn.toMillis() / 1000.0, delivery.scheduleStep(), delivery.id());
      }
      List<Instant> since = jdbc.query("UPDATE webhook_endpoints SET failing_since ="
          + " coalesce(failing_since, ?) WHERE id = ? RETURNING failing_since",
          (row, n) -> row.getTimestamp(1).toInstant(), Timestamp.from(attemptedAt), delivery.endpointId());
      if (since.isEmpty()) {
        return null;
      }
      Instant failingSince = since.get(0);
      String reason = response.status() == GONE ? "The endpoint answered 410 Gone"
          : failingSince.isAfter(attemptedAt.minus(disableAfter)) ? null
          : "Every attempt failed since " + failingSince.truncatedTo(ChronoUnit.SECONDS) + "; the last: "
              + (response.status() == 0 ? response.error() : "HTTP " + response.status());
      if (reason == null) {
        return null;
      }
      int disabled = jdbc.update("UPDATE webhook_endpoints SET enabled = false, disabled_at = now(),"
          + " disabled_reason = ? WHERE id = ? AND enabled", reason, delivery.endpointId());
      return disabled > 0 ? reason : null;
    });
  }

  /** Forgets deliveries that ended before {@code retention}, and summaries no pending delivery needs. */
  int forget(Duration retention) {
    double seconds = retention.toMillis() / 1000.0;
    int deliveries = jdbc.update("DELETE FROM webhook_deliveries WHERE status <> 'pending'"
        + " AND ended_at < now() - make_interval(secs => ?)", seconds);
    jdbc.update("DELETE FROM webhook_summaries s WHERE s.created_at < now() - make_interval(secs => ?)"
        + " AND NOT EXISTS (SELECT FROM webhook_deliveries d WHERE d.job_id = s.job_id AND d.status = 'pending')",
        seconds);
    return deliveries;
  }

  private void attempt(DueDelivery delivery, Instant attemptedAt, WebhookResponse response) {
    jdbc.update(ATTEMPT, delivery.id(), delivery.attempt(), Timestamp.from(attemptedAt),
        response.status() == 0 ? null : response.status(), (int) Math.min(Integer.MAX_VALUE, response.latency().toMillis()),
        response.error(), response.bodyExcerpt(), delivery.id());
  }

  private static DueDelivery due(ResultSet row) throws SQLException {
    byte[] previous = row.getBytes("previous_secret");
    List<byte[]> secrets = previous == null ? List.of(row.getBytes("secret"))
        : List.of(row.getBytes("secret"), previous);
    return new DueDelivery(row.getLong("id"), row.getObject("endpoint_id", UUID.class), row.getString("event_id"),
        row.getString("event_type"), row.getTimestamp("occurred_at").toInstant(), row.getString("data"),
        row.getInt("attempts"), row.getInt("schedule_step"), URI.create(row.getString("url")), secrets);
  }
}
