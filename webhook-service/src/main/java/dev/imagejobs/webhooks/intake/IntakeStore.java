package dev.imagejobs.webhooks.intake;

import dev.imagejobs.messaging.WebhookEventType;
import java.sql.Timestamp;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a poll's deliveries and summaries in one transaction. An event becomes a delivery for each
 * enabled endpoint of its job's project that wants its type and was registered before it happened;
 * written again (a poll read twice after a crash) it changes nothing. The job's project comes from
 * the gateway's read model, which has the job's row from the moment it was created.
 */
class IntakeStore {
  private static final String DELIVERIES = "INSERT INTO webhook_deliveries"
      + " (endpoint_id, event_id, job_id, event_type, data, occurred_at)"
      + " SELECT e.id, ?, j.job_id, ?,"
      + " CASE WHEN ?::text IS NULL THEN NULL ELSE ?::jsonb || jsonb_build_object('projectId', j.project_id) END, ?"
      + " FROM jobs j JOIN webhook_endpoints e ON e.tenant_id = j.tenant_id AND e.project_id = j.project_id"
      + " WHERE j.job_id = ? AND e.enabled AND ? = ANY (e.event_types) AND e.created_at <= ?"
      + " ORDER BY e.id ON CONFLICT (endpoint_id, event_id) DO NOTHING";
  private static final String SUMMARIES = "INSERT INTO webhook_summaries (job_id, summary) SELECT ?, ?::jsonb"
      + " WHERE EXISTS (SELECT FROM webhook_endpoints e WHERE e.tenant_id = ? AND e.project_id = ?"
      + " AND '" + WebhookEventType.JOB_COMPLETED.wireName() + "' = ANY (e.event_types))"
      + " ON CONFLICT (job_id) DO UPDATE SET summary = EXCLUDED.summary";

  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;

  IntakeStore(JdbcTemplate jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  /** @return how many deliveries were written */
  int write(IntakeBatch batch) {
    Integer written = transactions.execute(status -> {
      jdbc.batchUpdate(SUMMARIES, batch.summaries, batch.summaries.size(), (statement, summary) -> {
        statement.setString(1, summary.jobId());
        statement.setString(2, summary.data());
        statement.setString(3, summary.tenantId());
        statement.setString(4, summary.projectId());
      });
      int[][] counts = jdbc.batchUpdate(DELIVERIES, batch.endings, batch.endings.size(), (statement, ending) -> {
        Timestamp occurredAt = Timestamp.from(ending.occurredAt());
        statement.setString(1, ending.eventId());
        statement.setString(2, ending.type());
        statement.setString(3, ending.data());
        statement.setString(4, ending.data());
        statement.setTimestamp(5, occurredAt);
        statement.setString(6, ending.jobId());
        statement.setString(7, ending.type());
        statement.setTimestamp(8, occurredAt);
      });
      int total = 0;
      for (int[] chunk : counts) {
        for (int count : chunk) {
          total += Math.max(count, 0);
        }
      }
      return total;
    });
    return written == null ? 0 : written;
  }
}
