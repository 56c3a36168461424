package dev.imagejobs.webhooks.intake;

import dev.imagejobs.messaging.WebhookEventType;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a poll's deliveries and summaries in one transaction. An event becomes a delivery for each
 * enabled endpoint of its job's project that wants its type and was registered before it happened;
 * written again (a poll read twice after a crash) it changes nothing. The job's project comes from
 * the gateway's read model, which has the job's row from the moment it was created.
 *
 * <p>For jobs created in a batch it also keeps each job's latest ended run
 * ({@code webhook_batch_endings}; a retry takes the job out again) and announces the batch once,
 * as {@code batch.ended} to the endpoints of its jobs' projects, when every job of the batch is in
 * there. The batches a poll touches are locked first (per batch, in order), so two intake instances
 * ending a batch's last two jobs at once still see each other's endings and announce it once.
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

  private static final String BATCHES_OF_JOBS = "SELECT DISTINCT batch_id FROM jobs"
      + " WHERE job_id = ANY (?) AND batch_id IS NOT NULL ORDER BY batch_id";
  private static final String LOCK_BATCH = "SELECT pg_advisory_xact_lock(hashtextextended('webhook-batch:' || ?, 0))";
  private static final String BATCH_ENDING = "INSERT INTO webhook_batch_endings (job_id, batch_id, run, status, ended_at)"
      + " SELECT job_id, batch_id, ?, ?, ? FROM jobs WHERE job_id = ? AND batch_id IS NOT NULL"
      + " ON CONFLICT (job_id) DO UPDATE SET run = EXCLUDED.run, status = EXCLUDED.status, ended_at = EXCLUDED.ended_at"
      + " WHERE webhook_batch_endings.run <= EXCLUDED.run";
  private static final String BATCH_RETRY = "DELETE FROM webhook_batch_endings WHERE job_id = ? AND run < ?";
  /** Announces the batches (of the array given) whose every job has ended and that were not announced yet. */
  private static final String ANNOUNCE_BATCHES = """
      WITH ended AS (
        SELECT b.batch_id, max(e.ended_at) AS ended_at, count(*) AS jobs,
               count(*) FILTER (WHERE e.status = 'completed') AS completed,
               count(*) FILTER (WHERE e.status = 'failed') AS failed,
               count(*) FILTER (WHERE e.status = 'canceled') AS canceled,
               jsonb_agg(jsonb_build_object('jobId', e.job_id, 'run', e.run, 'status', e.status)
                         ORDER BY e.job_id) AS ended_jobs
        FROM unnest(?::text[]) AS b (batch_id) JOIN webhook_batch_endings e ON e.batch_id = b.batch_id
        WHERE NOT EXISTS (SELECT FROM webhook_batches_ended a WHERE a.batch_id = b.batch_id)
        GROUP BY b.batch_id
        HAVING count(*) = (SELECT count(*) FROM jobs j WHERE j.batch_id = b.batch_id)),
      announced AS (
        INSERT INTO webhook_batches_ended (batch_id, ended_at) SELECT batch_id, ended_at FROM ended
        ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id),
      projects AS (
        SELECT DISTINCT j.batch_id, j.tenant_id, j.project_id FROM jobs j JOIN announced a ON a.batch_id = j.batch_id)
      INSERT INTO webhook_deliveries (endpoint_id, event_id, job_id, event_type, data, occurred_at)
      SELECT w.id, 'batch-' || d.batch_id, 'batch:' || d.batch_id, ?, jsonb_build_object(
          'batchId', d.batch_id, 'tenantId', p.tenant_id, 'projectId', p.project_id, 'jobCount', d.jobs,
          'completed', d.completed, 'failed', d.failed, 'canceled', d.canceled, 'jobs', d.ended_jobs),
        d.ended_at
      FROM ended d JOIN projects p ON p.batch_id = d.batch_id
        JOIN webhook_endpoints w ON w.tenant_id = p.tenant_id AND w.project_id = p.project_id
      WHERE w.enabled AND ? = ANY (w.event_types) AND w.created_at <= d.ended_at
      ORDER BY d.batch_id, w.id
      ON CONFLICT (endpoint_id, event_id) DO NOTHING
      """;

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
      return sum(counts) + batchesEnded(batch);
    });
    return written == null ? 0 : written;
  }

  /** Records the endings and retries of batches' jobs and announces the batches that have ended; @return deliveries written */
  private int batchesEnded(IntakeBatch batch) {
    Set<String> jobIds = new HashSet<>();
    batch.endings.forEach(ending -> jobIds.add(ending.jobId()));
    batch.retries.forEach(retry -> jobIds.add(retry.jobId()));
    if (jobIds.isEmpty()) {
      return 0;
    }
    List<String> batchIds = jdbc.query(connection -> {
      PreparedStatement statement = connection.prepareStatement(BATCHES_OF_JOBS);
      statement.setArray(1, connection.createArrayOf("text", jobIds.toArray()));
      return statement;
    }, (row, n) -> row.getString(1));
    if (batchIds.isEmpty()) {
      return 0;
    }
    batchIds.forEach(batchId -> jdbc.queryForList(LOCK_BATCH, batchId));
    jdbc.batchUpdate(BATCH_ENDING, batch.endings, batch.endings.size(), (statement, ending) -> {
      statement.setInt(1, ending.run());
      statement.setString(2, ending.status());
      statement.setTimestamp(3, Timestamp.from(ending.occurredAt()));
      statement.setString(4, ending.jobId());
    });
    jdbc.batchUpdate(BATCH_RETRY, batch.retries, batch.retries.size(), (statement, retry) -> {
      statement.setString(1, retry.jobId());
      statement.setInt(2, retry.run());
    });
    String type = WebhookEventType.BATCH_ENDED.wireName();
    return jdbc.update(connection -> {
      PreparedStatement statement = connection.prepareStatement(ANNOUNCE_BATCHES);
      statement.setArray(1, connection.createArrayOf("text", batchIds.toArray()));
      statement.setString(2, type);
      statement.setString(3, type);
      return statement;
    });
  }

  private static int sum(int[][] counts) {
    int total = 0;
    for (int[] chunk : counts) {
      for (int count : chunk) {
        total += Math.max(count, 0);
      }
    }
    return total;
  }
}
