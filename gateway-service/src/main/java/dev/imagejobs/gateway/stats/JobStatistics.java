package dev.imagejobs.gateway.stats;

import dev.imagejobs.gateway.budgets.BudgetView;
import dev.imagejobs.gateway.budgets.Budgets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import reactor.core.publisher.Mono;

/**
 * Computes {@link JobStats} in PostgreSQL, three aggregate queries over the tenant's jobs read in
 * one snapshot so the figures agree with each other.
 */
@Component
class JobStatistics {
  private static final String WINDOW = " WHERE tenant_id = :tenant_id AND created_at >= :since";
  private static final String PROJECT = " AND project_id = :project_id";

  private final DatabaseClient db;
  private final Budgets budgets;
  private final TransactionalOperator snapshot;
  private final Clock clock;

  JobStatistics(DatabaseClient db, Budgets budgets, ReactiveTransactionManager transactions, Clock clock) {
    this.db = db;
    this.budgets = budgets;
    this.clock = clock;
    DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
    definition.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    definition.setReadOnly(true);
    this.snapshot = TransactionalOperator.create(transactions, definition);
  }

  Mono<JobStats> compute(String tenantId, String projectId, Instant since) {
    Instant until = clock.instant();
    Mono<JobStats> stats = query("""
            SELECT status, count(*) AS jobs, count(*)::float8 / sum(count(*)) OVER () AS share
            FROM jobs""", "GROUP BY status ORDER BY status", tenantId, projectId, since)
        .map(row -> new JobStats.StatusShare(
            row.get("status", String.class), row.get("jobs", Long.class), row.get("share", Double.class)))
        .all()
        .collectList()
        .zipWhen(byStatus -> query("""
                SELECT count(*) AS jobs,
                       avg(extract(epoch FROM completed_at - created_at))::float8 AS average_seconds,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at))
                         ::float8 AS p95_seconds
                FROM jobs""", "AND status = 'completed' AND completed_at IS NOT NULL", tenantId, projectId, since)
            .map(row -> new JobStats.Completion(row.get("jobs", Long.class),
                row.get("average_seconds", Double.class), row.get("p95_seconds", Double.class)))
            .one())
        .zipWhen(previous -> query("""
                SELECT job_type, count(*) AS jobs,
                       coalesce(sum(estimated_cost_micros), 0)::bigint AS estimated,
                       coalesce(sum(actual_cost_micros), 0)::bigint AS actual
                FROM jobs""", "GROUP BY job_type ORDER BY job_type", tenantId, projectId, since)
            .map(row -> new JobStats.JobTypeCost(row.get("job_type", String.class), row.get("jobs", Long.class),
                row.get("estimated", Long.class), row.get("actual", Long.class)))
            .all()
            .collectList())
        .zipWhen(previous -> projectId == null ? Mono.just(Optional.<BudgetView>empty())
            : budgets.find(tenantId, projectId).map(Optional::of).defaultIfEmpty(Optional.empty()))
        .map(all -> {
          var byStatus = all.getT1().getT1().getT1();
          long total = byStatus.stream().mapToLong(JobStats.StatusShare::jobs).sum();
          return new JobStats(since, until, projectId, total, byStatus, all.getT1().getT1().getT2(),
              all.getT1().getT2(), all.getT2().orElse(null));
        });
    return snapshot.transactional(stats);
  }

  private GenericExecuteSpec query(String select, String tail, String tenantId, String projectId, Instant since) {
    String sql = select + WINDOW + (projectId == null ? "" : PROJECT) + " " + tail;
    GenericExecuteSpec spec = db.sql(sql).bind("tenant_id", tenantId).bind("since", since);
    return projectId == null ? spec : spec.bind("project_id", projectId);
  }
}
