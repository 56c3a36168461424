package dev.imagejobs.gateway.budgets;

import dev.imagejobs.gateway.readmodel.BudgetPeriod;
import dev.imagejobs.gateway.readmodel.SqlPart;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

/**
 * Cost budgets per tenant and project. A creation (or retry) reserves its run's estimated cost in
 * the statement that writes it, after locking its project's budget row: creations of one project
 * wait for each other there, those of other projects and tenants never do, and concurrent creations
 * cannot overspend. The projection settles a run's reservation to its actual cost when the run ends
 * ({@code ReadModel}); an actual cost above the reservation is recorded as overrun.
 */
@Component
public class Budgets {
  /** The statement part that returns a row when the job fits its project's budget (or the project has none). */
  public static final String BUDGETED = "budgeted";

  /** The thresholds of a budget set without any. */
  private static final Integer[] DEFAULT_THRESHOLDS = {80, 100};

  private final DatabaseClient db;

  Budgets(DatabaseClient db) {
    this.db = db;
  }

  /**
   * Defines {@code budget} (the project's budget row, locked) and {@link #BUDGETED}, a row when
   * {@code guard} has one and the estimate fits what the budget has left; no guard when null.
   */
  public SqlPart budgeted(String guard, String tenantId, String projectId, long estimateMicros) {
    return new SqlPart("budget AS (SELECT b.amount_micros, " + BudgetPeriod.spentNow("b.") + " AS spent_micros, b.reserved_micros"
        + " FROM budgets b WHERE b.tenant_id = :budget_tenant AND b.project_id = :budget_project FOR UPDATE), "
        + BUDGETED + " AS (SELECT WHERE " + (guard == null ? "" : "EXISTS (SELECT FROM " + guard + ") AND ")
        + "NOT EXISTS (SELECT FROM budget WHERE amount_micros - spent_micros - reserved_micros < :budget_estimate))",
        Map.of("budget_tenant", tenantId, "budget_project", projectId, "budget_estimate", estimateMicros));
  }

  /**
   * Reserves the estimate for run {@code run} of the job when {@code guard} has a row and the
   * project has a budget (its {@link #budgeted} part comes first in the statement).
   */
  public SqlPart reserved(String guard, String jobId, int run) {
    return new SqlPart("budget_reservation AS (INSERT INTO budget_reservations"
        + " (job_id, run, tenant_id, project_id, micros)"
        + " SELECT :budget_job, :budget_run, :budget_tenant, :budget_project, :budget_estimate"
        + " WHERE EXISTS (SELECT FROM " + guard + ") AND EXISTS (SELECT FROM budget) RETURNING 1), "
        + "budget_reserved AS (UPDATE budgets SET reserved_micros = reserved_micros + :budget_estimate,"
        + " spent_micros = " + BudgetPeriod.spentNow("") + ", period_start = " + BudgetPeriod.periodStartNow("")
        + ", updated_at = now()"
        + " WHERE tenant_id = :budget_tenant AND project_id = :budget_project AND EXISTS (SELECT FROM " + guard + ")"
        + " RETURNING 1)",
        Map.of("budget_job", jobId, "budget_run", run));
  }

  /**
   * Reserves a retry's estimate in the caller's transaction.
   *
   * @return empty when it fits (or the project has no budget); else the refusal to answer
   */
  public Mono<Optional<ErrorResponseException>> reserveRun(
      String tenantId, String projectId, String jobId, int run, long estimateMicros) {
    SqlPart statement = SqlPart.with(
        List.of(budgeted(null, tenantId, projectId, estimateMicros), reserved(BUDGETED, jobId, run)),
        new SqlPart("SELECT EXISTS (SELECT FROM " + BUDGETED + ") AS fits", Map.of()));
    return statement.on(db).map(row -> Boolean.TRUE.equals(row.get("fits", Boolean.class))).one()
        .flatMap(fits -> fits ? Mono.just(Optional.<ErrorResponseException>empty())
            : find(tenantId, projectId).map(budget -> Optional.of(exceeded(budget, estimateMicros))));
  }

  /** The answer to a creation or retry its project's budget cannot take. */
  public ErrorResponseException exceeded(BudgetView budget, long estimateMicros) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PAYMENT_REQUIRED,
        "Project " + budget.projectId() + " has a budget of " + budget.amountUsd() + " USD, of which "
            + budget.spentUsd() + " USD is spent and " + budget.reservedUsd() + " USD reserved by jobs not yet ended;"
            + " this job's estimated " + Money.usd(estimateMicros) + " USD does not fit");
    problem.setTitle("Budget exceeded");
    problem.setProperty("projectId", budget.projectId());
    problem.setProperty("budgetUsd", budget.amountUsd());
    problem.setProperty("spentUsd", budget.spentUsd());
    problem.setProperty("reservedUsd", budget.reservedUsd());
    problem.setProperty("estimatedCostUsd", Money.usd(estimateMicros));
    return new ErrorResponseException(HttpStatus.PAYMENT_REQUIRED, problem, null);
  }

  /** The project's budget, as it stands now. */
  public Mono<BudgetView> find(String tenantId, String projectId) {
    return db.sql("SELECT project_id, amount_micros, monthly_reset, " + BudgetPeriod.periodStartNow("")
            + " AS period_start, " + BudgetPeriod.spentNow("") + " AS spent_micros,"
            + " reserved_micros, overrun_micros, thresholds_percent,"
            + " CASE WHEN " + BudgetPeriod.periodStartNow("") + " = period_start THEN alerted_percent ELSE 0 END"
            + " AS alerted_percent FROM budgets WHERE tenant_id = :tenant AND project_id = :project")
        .bind("tenant", tenantId).bind("project", projectId)
        .map(row -> BudgetView.of(row.get("project_id", String.class), row.get("amount_micros", Long.class),
            Boolean.TRUE.equals(row.get("monthly_reset", Boolean.class)),
            row.get("period_start", java.time.OffsetDateTime.class).toInstant(),
            row.get("spent_micros", Long.class), row.get("reserved_micros", Long.class),
            row.get("overrun_micros", Long.class), Arrays.asList(row.get("thresholds_percent", Integer[].class)),
            row.get("alerted_percent", Integer.class)))
        .one();
  }

  /** Sets the project's budget; what was spent and reserved stays. */
  Mono<BudgetView> put(String tenantId, String projectId, BigDecimal amountUsd, boolean monthlyReset,
      List<Integer> thresholdsPercent) {
    Map<String, Object> values = new HashMap<>();
    values.put("tenant", tenantId);
    values.put("project", projectId);
    values.put("amount", Money.micros(amountUsd));
    values.put("monthly", monthlyReset);
    values.put("thresholds", thresholdsPercent == null ? DEFAULT_THRESHOLDS
        : thresholdsPercent.stream().distinct().sorted().toArray(Integer[]::new));
    values.put("thresholds_given", thresholdsPercent != null);
    SqlPart statement = new SqlPart("INSERT INTO budgets (tenant_id, project_id, amount_micros, monthly_reset, period_start,"
        + " thresholds_percent) VALUES (:tenant, :project, :amount, :monthly,"
        + " date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', :thresholds)"
        + " ON CONFLICT (tenant_id, project_id) DO UPDATE SET amount_micros = EXCLUDED.amount_micros,"
        + " monthly_reset = EXCLUDED.monthly_reset, thresholds_percent = CASE WHEN :thresholds_given"
        + " THEN EXCLUDED.thresholds_percent ELSE budgets.thresholds_percent END, updated_at = now()", values);
    return statement.on(db).then().then(find(tenantId, projectId));
  }
}
