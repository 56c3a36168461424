package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.EventMetadata;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads job rows and their history and applies lifecycle events to them: the one write path of the
 * {@code jobs}, {@code job_events} and {@code tenant_backlog} tables, used by job creation, retry,
 * cancel, the projection and the audit rebuild. Writes take no lock beyond the rows of the jobs
 * they change, and a batch of events costs a fixed number of statements whatever its size.
 *
 * <p>Every event gets a position ({@link EventPosition}): the writing transaction's id, then a
 * sequence number. Readers of positions ({@link #tail}, {@link #head}) see only events of
 * transactions older than every transaction still running, so a reader never finds a committed
 * event below a position it has passed. A job's events must be in position order too: a writer
 * whose transaction id is below the id that wrote the job's latest event fails with
 * {@link PositionOrderConflict}, and {@link #inTransaction} starts it again with a newer id
 * ({@code EventPositionIT}).
 */
@Component
public class ReadModel {
  /**
   * The channel on which the projection announces committed events, for the event streams of every
   * gateway instance. Creation does not notify: a notifying commit takes a database-wide lock, which
   * would serialise every creation (docs/adr/0009-event-positions.md).
   */
  public static final String NOTIFY_CHANNEL = "image_jobs_events";

  private static final Logger log = LoggerFactory.getLogger(ReadModel.class);

  /** How often a transaction that met a concurrent writer is started again before the error surfaces. */
  private static final int WRITE_CONFLICT_RETRIES = 5;
  private static final int REQUEST_BACKLOG_SHARDS = 16;
  private static final int PROJECTION_BACKLOG_SHARDS = 1000;
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String DEADLOCK = "40P01";
  private static final String SERIALIZATION_FAILURE = "40001";

  private static final List<Column<?>> COLUMNS = List.of(
      new Column<>("job_id", JobRow::jobId),
      new Column<>("tenant_id", JobRow::tenantId),
      new Column<>("job_type", JobRow::jobType),
      new Column<>("project_id", JobRow::projectId),
      new Column<>("branch_id", JobRow::branchId),
      new Column<>("scene_id", JobRow::sceneId),
      new Column<>("shot_id", JobRow::shotId),
      new Column<>("asset_id", JobRow::assetId),
      new Column<>("prompt", JobRow::prompt),
      new Column<>("style_capsule_id", JobRow::styleCapsuleId),
      new Column<>("style_text", JobRow::styleText),
      new Column<>("style_capsule_version", JobRow::styleCapsuleVersion),
      new Column<>("aspect_ratio", JobRow::aspectRatio),
      new Column<>("image_size", JobRow::imageSize),
      new Column<>("provider", JobRow::provider),
      new Column<>("model", JobRow::model),
      new Column<>("priority", row -> row.priority().wireName()),
      new Column<>("batch_id", JobRow::batchId),
      new Column<>("reference_images", JobRow::references),
      new Column<>("edit", JobRow::edit),
      new Column<>("variant_count", JobRow::variantCount),
      new Column<>("variants", JobRow::variants),
      new Column<>("selected_variant", JobRow::selectedVariant),
      new Column<>("status", row -> row.status().wireName()),
      new Column<>("attempt_count", JobRow::attemptCount),
      new Column<>("earlier_attempts", JobRow::earlierAttempts),
      new Column<>("retry_count", JobRow::retryCount),
      new Column<>("cancel_requested", JobRow::cancelRequested),
      new Column<>("failure_stage", JobRow::failureStage),
      new Column<>("error_class", JobRow::errorClass),
      new Column<>("error_code", JobRow::errorCode),
      new Column<>("error_message", JobRow::errorMessage),
      new Column<>("estimated_cost_micros", JobRow::estimatedCostMicros),
      new Column<>("actual_cost_micros", JobRow::actualCostMicros),
      new Column<>("earlier_cost_micros", JobRow::earlierCostMicros),
      new Column<>("storage_path", JobRow::storagePath),
      new Column<>("object_uri", JobRow::objectUri),
      new Column<>("content_type", JobRow::contentType),
      new Column<>("size_bytes", JobRow::sizeBytes),
      new Column<>("width", JobRow::width),
      new Column<>("height", JobRow::height),
      new Column<>("sha256", JobRow::sha256),
      new Column<>("created_at", JobRow::createdAt),
      new Column<>("started_at", JobRow::startedAt),
      new Column<>("completed_at", JobRow::completedAt),
      new Column<>("updated_at", JobRow::updatedAt),
      new Column<>("last_event_seq", JobRow::lastEventSeq));

  private static final List<String> EVENT_COLUMNS = List.of("job_id", "seq", "event_id", "event_type",
      "status_after", "occurred_at", "producer", "attempt", "kafka_partition", "kafka_offset", "detail",
      "tenant_id", "project_id", "job_after");

  private static final String COLUMN_LIST = COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "));
  private static final String ROW_COLUMNS = COLUMNS.stream().map(c -> "r." + c.name()).collect(Collectors.joining(", "));
  private static final String EVENT_COLUMN_LIST = String.join(", ", EVENT_COLUMNS);
  private static final String ROW_EVENT_COLUMNS = EVENT_COLUMNS.stream().map(c -> "r." + c).collect(Collectors.joining(", "));
  private static final String CURRENT_TX = "pg_current_xact_id()::text::bigint";
  /** Transactions below this id have all ended: their events can be read in position order. */
  private static final String READABLE_BELOW = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

  private static final String SELECT_ALL_JOBS = "SELECT " + COLUMN_LIST + " FROM jobs";
  private static final String SELECT_JOB = SELECT_ALL_JOBS + " WHERE job_id = :job_id";

  /** Locks the rows of a batch's jobs in one order, so concurrent writers never deadlock. */
  private static final String LOCK_JOBS = "SELECT " + COLUMN_LIST + ", last_tx_id FROM jobs"
      + " WHERE job_id = ANY(:job_ids) ORDER BY job_id FOR UPDATE";

  private static final String TRANSACTION_AND_APPLIED = "SELECT " + CURRENT_TX + " AS tx,"
      + " ARRAY(SELECT event_id FROM job_events WHERE event_id = ANY(:event_ids)) AS applied";

  private static final String WRITE_JOBS = "written_jobs AS ("
      + "INSERT INTO jobs (" + COLUMN_LIST + ", last_tx_id) SELECT " + ROW_COLUMNS + ", " + CURRENT_TX
      + " FROM jsonb_populate_recordset(NULL::jobs, :jobs) AS r"
      + " ON CONFLICT (job_id) DO UPDATE SET "
      + COLUMNS.stream().skip(1).map(c -> c.name() + " = EXCLUDED." + c.name()).collect(Collectors.joining(", "))
      + ", last_tx_id = EXCLUDED.last_tx_id RETURNING 1)";

  private static final String WRITE_EVENTS = "written_events AS ("
      + "INSERT INTO job_events (" + EVENT_COLUMN_LIST + ") SELECT " + ROW_EVENT_COLUMNS
      + " FROM jsonb_populate_recordset(NULL::job_events, :events) WITH ORDINALITY AS r ORDER BY r.ordinality"
      + " RETURNING 1)";

  /**
   * Settles the budget reservations of the runs that ended in a batch: each run's reservation is
   * released and its actual cost spent (above the reservation, also counted as overrun). A run
   * without a reservation (its project had no budget when it started) changes no budget; a run
   * settled before (an event delivered again) finds no reservation left.
   */
  private static final String SETTLE_BUDGETS = "budget_released AS (DELETE FROM budget_reservations r"
      + " USING jsonb_to_recordset(:ended_runs) AS e(job_id text, run integer, cost bigint)"
      + " WHERE r.job_id = e.job_id AND r.run = e.run RETURNING r.tenant_id, r.project_id, r.micros, e.cost), "
      + "budget_settled AS (UPDATE budgets b SET reserved_micros = b.reserved_micros - s.micros,"
      + " spent_micros = " + BudgetPeriod.spentNow("b.") + " + s.cost, period_start = " + BudgetPeriod.periodStartNow("b.")
      + ", overrun_micros = b.overrun_micros + s.overrun, updated_at = now()"
      + " FROM (SELECT tenant_id, project_id, sum(micros) AS micros, sum(cost) AS cost,"
      + " sum(greatest(cost - micros, 0)) AS overrun FROM budget_released GROUP BY tenant_id, project_id) s"
      + " WHERE b.tenant_id = s.tenant_id AND b.project_id = s.project_id RETURNING 1)";

  private static final String WRITE_BACKLOG = "written_backlog AS ("
      + "INSERT INTO tenant_backlog (tenant_id, shard, queued)"
      + " SELECT d.tenant_id, :backlog_shard, d.delta FROM jsonb_to_recordset(:backlog) AS d(tenant_id text, delta bigint)"
      + " ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = tenant_backlog.queued + EXCLUDED.queued RETURNING 1)";

  private static final String SELECT_EVENTS = """
      SELECT tx_id, global_seq, job_id, tenant_id, project_id, seq, event_type, status_after,
             job_after::text AS job_after FROM job_events""";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, Long>> STATUS_COUNTS =
      new TypeReference<>() {};

  private final DatabaseClient db;

  public ReadModel(DatabaseClient db) {
    this.db = db;
  }

  /**
   * Runs {@code work} in a transaction of its own and starts it again, a few times, when it met a
   * concurrent writer of the same rows: a {@link PositionOrderConflict}, a duplicate event id
   * written by a racing writer (the next run sees it and skips it), or a deadlock.
   */
  public static <T> Mono<T> inTransaction(TransactionalOperator transaction, Supplier<Mono<T>> work) {
    return transaction.transactional(Mono.defer(work))
        .retryWhen(Retry.backoff(WRITE_CONFLICT_RETRIES, Duration.ofMillis(2))
            .maxBackoff(Duration.ofMillis(50))
            .filter(ReadModel::isWriteConflict)
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
  }

  static boolean isWriteConflict(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PositionOrderConflict) {
        return true;
      }
      if (cause instanceof R2dbcException database) {
        String state = database.getSqlState();
        return UNIQUE_VIOLATION.equals(state) || DEADLOCK.equals(state) || SERIALIZATION_FAILURE.equals(state);
      }
    }
    return false;
  }

  /** The job's row, or empty when there is no such job. */
  public Mono<JobRow> find(String jobId) {
    return db.sql(SELECT_JOB).bind("job_id", jobId).map(ReadModel::read).one();
  }

  /**
   * Locks the job for a change the gateway is about to make (retry, cancel) and returns its row, or
   * empty when there is no such job. Call inside a transaction.
   */
  public Mono<JobRow> lockForUpdate(String jobId) {
    return db.sql(SELECT_JOB + " FOR UPDATE").bind("job_id", jobId).map(ReadModel::read).one();
  }

  /**
   * Applies {@code events}, in order, to their jobs: an event whose id is already in the history (a
   * redelivery) is skipped, one the state machine rejects is logged and skipped, the others change
   * the rows and are appended to the history; the projection's notification goes out on commit.
   * Costs four statements whatever the number of events. Call inside a transaction, through
   * {@link #inTransaction}.
   *
   * @param backlogShard the {@code tenant_backlog} shard this writer adds its deltas to
   * @return one outcome per event, in order
   */
  public Mono<List<ApplyOutcome>> apply(List<ConsumedEvent> events, int backlogShard) {
    if (events.isEmpty()) {
      return Mono.just(List.of());
    }
    String[] jobIds = events.stream().map(e -> e.event().jobId()).distinct().sorted().toArray(String[]::new);
    String[] eventIds = events.stream().map(e -> e.event().metadata().getEventId()).distinct().toArray(String[]::new);
    Mono<Map<String, Locked>> locked = db.sql(LOCK_JOBS)
        .bind("job_ids", jobIds)
        .map(row -> new Locked(read(row), row.get("last_tx_id", Long.class)))
        .all()
        .collectMap(lockedRow -> lockedRow.row().jobId());
    Mono<TransactionState> state = db.sql(TRANSACTION_AND_APPLIED)
        .bind("event_ids", eventIds)
        .map(row -> new TransactionState(row.get("tx", Long.class), Arrays.asList(row.get("applied", String[].class))))
        .one();
    // Locks first: the duplicate check then sees every event committed by a writer of the same jobs.
    return locked.flatMap(rows -> state.map(transaction -> fold(events, rows, transaction)))
        .flatMap(batch -> batch.isEmpty()
            ? Mono.just(batch.outcomes())
            : write(batch, backlogShard).thenReturn(batch.outcomes()));
  }

  /**
   * A new job: its {@code JobRequested} folded onto nothing, and the statement part that inserts
   * it (row, first event, one more queued job for its tenant) when the part named {@code guard}
   * returned a row. The part defines {@code new_job}, which returns the job id once inserted.
   *
   * @throws IllegalArgumentException when the event cannot start a job
   */
  public NewJob newJob(LifecycleEvent requested, String guard, int backlogShard) {
    FoldResult result = JobFold.apply(null, requested);
    if (!(result instanceof FoldResult.Applied applied)) {
      throw new IllegalArgumentException("Cannot start a job: " + ((FoldResult.Rejected) result).reason());
    }
    JobRow row = applied.row();
    String sql = "new_job AS (INSERT INTO jobs (" + COLUMN_LIST + ", last_tx_id) SELECT " + ROW_COLUMNS + ", " + CURRENT_TX
        + " FROM jsonb_populate_record(NULL::jobs, :new_job) AS r WHERE EXISTS (SELECT FROM " + guard + ")"
        + " RETURNING job_id), "
        + "new_job_event AS (INSERT INTO job_events (" + EVENT_COLUMN_LIST + ") SELECT " + ROW_EVENT_COLUMNS
        + " FROM jsonb_populate_record(NULL::job_events, :new_job_event) AS r WHERE EXISTS (SELECT FROM new_job)"
        + " RETURNING 1), "
        + "new_job_backlog AS (INSERT INTO tenant_backlog (tenant_id, shard, queued)"
        + " SELECT :new_job_tenant, :new_job_shard, 1 WHERE EXISTS (SELECT FROM new_job)"
        + " ON CONFLICT (tenant_id, shard) DO UPDATE SET queued = tenant_backlog.queued + 1 RETURNING 1)";
    Map<String, Object> values = Map.of(
        "new_job", Json.of(JSON.writeValueAsString(rowValues(row))),
        "new_job_event", Json.of(JSON.writeValueAsString(eventValues(row, requested, null))),
        "new_job_tenant", row.tenantId(),
        "new_job_shard", backlogShard);
    return new NewJob(row, new SqlPart(sql, values));
  }

  /**
   * A {@code tenant_backlog} shard for a creation or command of the API: one of 16 at random, so
   * concurrent requests of one tenant rarely wait for each other's row.
   */
  public static int requestBacklogShard() {
    return ThreadLocalRandom.current().nextInt(REQUEST_BACKLOG_SHARDS);
  }

  /** The {@code tenant_backlog} shard of the projection of a partition, never shared with requests. */
  public static int projectionBacklogShard(int partition) {
    return PROJECTION_BACKLOG_SHARDS + partition;
  }

  /**
   * The number of queued jobs of a tenant, as an SQL expression for admission checks in the
   * statement that creates a job.
   */
  public static String queuedJobsOf(String tenantParameter) {
    return "coalesce((SELECT sum(queued) FROM tenant_backlog WHERE tenant_id = :" + tenantParameter + "), 0)";
  }

  /**
   * One page of a tenant's jobs, newest first.
   *
   * @param after the last job of the previous page, or {@code null} for the first page
   */
  public Flux<JobRow> page(JobFilter filter, PagePosition after, int limit) {
    StringBuilder sql = new StringBuilder(SELECT_ALL_JOBS).append(" WHERE tenant_id = :tenant_id");
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("tenant_id", filter.tenantId());
    if (filter.projectId() != null) {
      sql.append(" AND project_id = :project_id");
      values.put("project_id", filter.projectId());
    }
    if (filter.status() != null) {
      sql.append(" AND status = :status");
      values.put("status", filter.status().wireName());
    }
    if (filter.jobType() != null) {
      sql.append(" AND job_type = :job_type");
      values.put("job_type", filter.jobType());
    }
    if (filter.priority() != null) {
      sql.append(" AND priority = :priority");
      values.put("priority", filter.priority().wireName());
    }
    if (after != null) {
      sql.append(" AND (created_at, job_id) < (:after_created_at, :after_job_id)");
      values.put("after_created_at", after.createdAt());
      values.put("after_job_id", after.jobId());
    }
    sql.append(" ORDER BY created_at DESC, job_id DESC LIMIT :limit");
    values.put("limit", limit);
    return new SqlPart(sql.toString(), values).on(db).map(ReadModel::read).all();
  }

  /**
   * Up to {@code limit} events after position {@code after}, in position order, each of them
   * readable: written by a transaction that ended before every transaction still running began;
   * and whether committed events after them are held back by such a transaction. One statement.
   */
  public Mono<TailPage> tail(EventPosition after, int limit) {
    return db.sql("WITH horizon AS MATERIALIZED (SELECT " + READABLE_BELOW + " AS below),"
            + " page AS (" + SELECT_EVENTS + " WHERE (tx_id, global_seq) > (:after_tx, :after_seq)"
            + " AND tx_id < (SELECT below FROM horizon) ORDER BY tx_id, global_seq LIMIT :limit)"
            + " SELECT page.*, held.held_back FROM (SELECT EXISTS (SELECT 1 FROM job_events"
            + " WHERE (tx_id, global_seq) > (:after_tx, :after_seq) AND tx_id >= (SELECT below FROM horizon))"
            + " AS held_back) held LEFT JOIN page ON true ORDER BY page.tx_id, page.global_seq")
        .bind("after_tx", after.txId())
        .bind("after_seq", after.seq())
        .bind("limit", limit)
        .map(row -> new TailRow(row.get("tx_id") == null ? null : readEvent(row),
            Boolean.TRUE.equals(row.get("held_back", Boolean.class))))
        .all()
        .collectList()
        .flatMap(rows -> Flux.fromIterable(rows)
            .filter(row -> row.event() != null)
            .concatMap(row -> withSnapshot(row.event()))
            .collectList()
            .map(events -> new TailPage(events, !rows.isEmpty() && rows.get(0).heldBack())));
  }

  /** The position of the latest readable event, {@link EventPosition#START} when there is none. */
  public Mono<EventPosition> head() {
    return db.sql("SELECT tx_id, global_seq FROM job_events WHERE tx_id < " + READABLE_BELOW
            + " ORDER BY tx_id DESC, global_seq DESC LIMIT 1")
        .map(ReadModel::readPosition)
        .one()
        .defaultIfEmpty(EventPosition.START);
  }

  /** The position of a project's latest readable event, {@link EventPosition#START} when it has none. */
  public Mono<EventPosition> projectPosition(String tenantId, String projectId) {
    return db.sql("SELECT tx_id, global_seq FROM job_events WHERE tenant_id = :tenant_id AND project_id = :project_id"
            + " AND tx_id < " + READABLE_BELOW + " ORDER BY tx_id DESC, global_seq DESC LIMIT 1")
        .bind("tenant_id", tenantId)
        .bind("project_id", projectId)
        .map(ReadModel::readPosition)
        .one()
        .defaultIfEmpty(EventPosition.START);
  }

  /** Up to {@code limit} events of a job after its event {@code afterSeq} and at or before {@code upTo}, in order. */
  public Flux<RecordedEvent> eventsOfJob(String jobId, long afterSeq, EventPosition upTo, int limit) {
    return db.sql(SELECT_EVENTS + " WHERE job_id = :job_id AND seq > :after"
            + " AND (tx_id, global_seq) <= (:up_to_tx, :up_to_seq) ORDER BY seq LIMIT :limit")
        .bind("job_id", jobId)
        .bind("after", afterSeq)
        .bind("up_to_tx", upTo.txId())
        .bind("up_to_seq", upTo.seq())
        .bind("limit", limit)
        .map(ReadModel::readEvent)
        .all()
        .concatMap(this::withSnapshot);
  }

  /**
   * The start and end frames of a tenant's shot, newest first. A shot is named by its project,
   * scene and shot ids, on every branch.
   */
  public Flux<JobRow> framesOfShot(String tenantId, String projectId, String sceneId, String shotId) {
    return db.sql(SELECT_ALL_JOBS + """
             WHERE tenant_id = :tenant_id AND project_id = :project_id AND scene_id = :scene_id AND shot_id = :shot_id
              AND job_type IN ('START_FRAME', 'END_FRAME')
            ORDER BY created_at DESC, job_id""")
        .bind("tenant_id", tenantId)
        .bind("project_id", projectId)
        .bind("scene_id", sceneId)
        .bind("shot_id", shotId)
        .map(ReadModel::read)
        .all();
  }

  /**
   * The projects a tenant has jobs in, the most recently active first, each with its jobs counted by
   * status; at most {@code limit}.
   */
  public Flux<ProjectSummary> projects(String tenantId, int limit) {
    return db.sql("""
            SELECT project_id, sum(jobs_in_status) AS jobs, max(updated_at) AS last_activity_at,
                   jsonb_object_agg(status, jobs_in_status) AS by_status
            FROM (SELECT project_id, status, count(*) AS jobs_in_status, max(updated_at) AS updated_at
                  FROM jobs WHERE tenant_id = :tenant_id GROUP BY project_id, status) s
            GROUP BY project_id
            ORDER BY max(updated_at) DESC, project_id
            LIMIT :limit""")
        .bind("tenant_id", tenantId)
        .bind("limit", limit)
        .map(row -> new ProjectSummary(row.get("project_id", String.class), ((Number) row.get("jobs")).longValue(),
            row.get("last_activity_at", OffsetDateTime.class).toInstant(),
            JSON.readValue(row.get("by_status", Json.class).asString(), STATUS_COUNTS)))
        .all();
  }

  /** The tenant's jobs of {@code jobIds} that exist, in no particular order. */
  public Flux<JobRow> jobsOf(String tenantId, Collection<String> jobIds) {
    return db.sql(SELECT_ALL_JOBS + " WHERE tenant_id = :tenant_id AND job_id = ANY(:job_ids)")
        .bind("tenant_id", tenantId)
        .bind("job_ids", jobIds.toArray(String[]::new))
        .map(ReadModel::read)
        .all();
  }

  /** The jobs of a tenant's batch in the order the batch listed them; empty when it has no such batch. */
  public Flux<JobRow> jobsOfBatch(String tenantId, String batchId) {
    return db.sql(SELECT_ALL_JOBS + """
             WHERE tenant_id = :tenant_id AND batch_id = :batch_id
            ORDER BY (SELECT e.global_seq FROM job_events e WHERE e.job_id = jobs.job_id AND e.seq = 1)""")
        .bind("tenant_id", tenantId)
        .bind("batch_id", batchId)
        .map(ReadModel::read)
        .all();
  }

  /**
   * The latest event of each of {@code jobIds} that has one, readable or not: where each job stands
   * and at which position it got there.
   */
  public Flux<RecordedEvent> latestEventsOf(Collection<String> jobIds) {
    return db.sql(SELECT_EVENTS + " WHERE (job_id, seq) IN (SELECT job_id, last_event_seq FROM jobs"
            + " WHERE job_id = ANY(:job_ids))")
        .bind("job_ids", jobIds.toArray(String[]::new))
        .map(ReadModel::readEvent)
        .all();
  }

  /** Up to {@code limit} events of {@code jobIds} after {@code after} and at or before {@code upTo}, in order. */
  public Flux<RecordedEvent> eventsOfJobs(Collection<String> jobIds, EventPosition after, EventPosition upTo, int limit) {
    return eventsBetween("job_id = ANY(:job_ids)", Map.of("job_ids", jobIds.toArray(String[]::new)), after, upTo,
        limit);
  }

  /** Up to {@code limit} events of a project's jobs after {@code after} and at or before {@code upTo}, in order. */
  public Flux<RecordedEvent> eventsOfProject(
      String tenantId, String projectId, EventPosition after, EventPosition upTo, int limit) {
    return eventsBetween("tenant_id = :tenant_id AND project_id = :project_id",
        Map.of("tenant_id", tenantId, "project_id", projectId), after, upTo, limit);
  }

  /** Up to {@code limit} events matching {@code condition} (binding {@code values}) in (after, upTo], in order. */
  private Flux<RecordedEvent> eventsBetween(String condition, Map<String, Object> values, EventPosition after,
      EventPosition upTo, int limit) {
    return new SqlPart(SELECT_EVENTS + " WHERE " + condition + """
             AND (tx_id, global_seq) > (:after_tx, :after_seq) AND (tx_id, global_seq) <= (:up_to_tx, :up_to_seq)
            ORDER BY tx_id, global_seq LIMIT :limit""", withPositions(values, after, upTo, limit))
        .on(db)
        .map(ReadModel::readEvent)
        .all()
        .concatMap(this::withSnapshot);
  }

  private static Map<String, Object> withPositions(Map<String, Object> values, EventPosition after,
      EventPosition upTo, int limit) {
    Map<String, Object> all = new HashMap<>(values);
    all.put("after_tx", after.txId());
    all.put("after_seq", after.seq());
    all.put("up_to_tx", upTo.txId());
    all.put("up_to_seq", upTo.seq());
    all.put("limit", limit);
    return all;
  }

  /** Folds the batch in order onto the locked rows, in memory. */
  private Batch fold(List<ConsumedEvent> events, Map<String, Locked> locked, TransactionState state) {
    Map<String, JobRow> rows = new HashMap<>();
    locked.forEach((jobId, row) -> {
      if (row.lastTxId() > state.txId()) {
        // An older transaction must not write after a newer one did: start again with a new id.
        throw new PositionOrderConflict(jobId, row.lastTxId(), state.txId());
      }
      rows.put(jobId, row.row());
    });
    Set<String> applied = new HashSet<>(state.applied());
    Batch batch = new Batch();
    for (ConsumedEvent consumed : events) {
      LifecycleEvent event = consumed.event();
      EventMetadata metadata = event.metadata();
      if (!applied.add(metadata.getEventId())) {
        batch.outcomes.add(ApplyOutcome.duplicate());
        continue;
      }
      JobRow before = rows.get(metadata.getJobId());
      FoldResult result = JobFold.apply(before, event);
      if (result instanceof FoldResult.Rejected rejected) {
        log.warn("Not applied: event {} ({}) of job {} at {}: {}", metadata.getEventId(),
            event.type().simpleName(), metadata.getJobId(), describe(consumed.position()), rejected.reason());
        batch.outcomes.add(ApplyOutcome.rejected());
        continue;
      }
      JobRow after = ((FoldResult.Applied) result).row();
      rows.put(after.jobId(), after);
      batch.changedJobs.put(after.jobId(), after);
      batch.events.add(eventValues(after, event, consumed.position()));
      batch.backlog.merge(after.tenantId(), queuedDelta(before, after), Long::sum);
      boolean endedRun = endsRun(before, after);
      if (endedRun) {
        batch.endedRuns.add(Map.of("job_id", after.jobId(), "run", after.retryCount(),
            "cost", after.actualCostMicros() == null ? 0L : after.actualCostMicros()));
      }
      batch.outcomes.add(ApplyOutcome.applied(after, endedRun));
    }
    return batch;
  }

  /** Whether the change ends the job's current run: into an end status, or a new run's. */
  private static boolean endsRun(JobRow before, JobRow after) {
    return after.status().isTerminal()
        && (before == null || !before.status().isTerminal() || before.retryCount() != after.retryCount());
  }

  /** How a change moves its tenant's number of queued jobs: +1 into queued, -1 out of it. */
  private static long queuedDelta(JobRow before, JobRow after) {
    return (after.status() == JobStatus.QUEUED ? 1 : 0) - (before != null && before.status() == JobStatus.QUEUED ? 1 : 0);
  }

  private Mono<Void> write(Batch batch, int backlogShard) {
    List<Map<String, Object>> jobs = new ArrayList<>();
    batch.changedJobs.values().forEach(row -> jobs.add(rowValues(row)));
    Map<String, Object> values = new HashMap<>();
    values.put("jobs", Json.of(JSON.writeValueAsString(jobs)));
    values.put("events", Json.of(JSON.writeValueAsString(batch.events)));
    List<SqlPart> parts = new ArrayList<>(List.of(new SqlPart(WRITE_JOBS, Map.of()), new SqlPart(WRITE_EVENTS, Map.of())));
    List<Map<String, Object>> deltas = new ArrayList<>();
    batch.backlog.forEach((tenant, delta) -> {
      if (delta != 0) {
        deltas.add(Map.of("tenant_id", tenant, "delta", delta));
      }
    });
    if (!deltas.isEmpty()) {
      parts.add(new SqlPart(WRITE_BACKLOG, Map.of(
          "backlog", Json.of(JSON.writeValueAsString(deltas)), "backlog_shard", backlogShard)));
    }
    if (!batch.endedRuns.isEmpty()) {
      parts.add(new SqlPart(SETTLE_BUDGETS, Map.of("ended_runs", Json.of(JSON.writeValueAsString(batch.endedRuns)))));
    }
    return SqlPart.with(parts, new SqlPart("SELECT pg_notify('" + NOTIFY_CHANNEL + "', '')", values))
        .on(db).map(row -> Boolean.TRUE).all().then();
  }

  /** A job row as the named values of its columns, for {@code jsonb_populate_record(set)}. */
  private static Map<String, Object> rowValues(JobRow row) {
    Map<String, Object> values = new HashMap<>();
    for (Column<?> column : COLUMNS) {
      Object value = column.value().apply(row);
      values.put(column.name(), value instanceof Instant instant ? instant.toString() : value);
    }
    return values;
  }

  private static Map<String, Object> eventValues(JobRow after, LifecycleEvent event, RecordPosition position) {
    EventMetadata metadata = event.metadata();
    Map<String, Object> values = new HashMap<>();
    values.put("job_id", after.jobId());
    values.put("seq", after.lastEventSeq());
    values.put("event_id", Text.clean(metadata.getEventId()));
    values.put("event_type", event.type().simpleName());
    values.put("status_after", after.status().wireName());
    values.put("occurred_at", metadata.getOccurredAt().toString());
    values.put("producer", Text.clean(metadata.getProducer()));
    values.put("attempt", metadata.getAttempt());
    values.put("kafka_partition", position == null ? null : position.partition());
    values.put("kafka_offset", position == null ? null : position.offset());
    values.put("detail", EventDetails.plain(event.payload()));
    values.put("tenant_id", after.tenantId());
    values.put("project_id", after.projectId());
    values.put("job_after", after);
    return values;
  }

  /**
   * Events written before snapshots existed have none; they show the job as it is now, with the
   * status and sequence number of the event.
   */
  private Mono<RecordedEvent> withSnapshot(RecordedEvent event) {
    if (event.jobAfterJson() != null) {
      return Mono.just(event);
    }
    return find(event.jobId()).map(current -> {
      JobRow.Builder then = current.toBuilder();
      then.status = event.statusAfter();
      then.lastEventSeq = event.seq();
      return new RecordedEvent(event.position(), event.jobId(), event.tenantId(), event.projectId(), event.seq(),
          event.eventType(), event.statusAfter(), JobSnapshots.write(then.build()));
    });
  }

  /** A row of {@link #tail}: an event, or none when the page is empty, and the held-back flag. */
  private record TailRow(RecordedEvent event, boolean heldBack) {}

  private static String describe(RecordPosition position) {
    return position == null ? "creation" : "partition " + position.partition() + " offset " + position.offset();
  }

  private static List<JobReference> references(Json stored) {
    return stored == null ? List.of() : List.of(JSON.readValue(stored.asString(), JobReference[].class));
  }

  private static List<JobVariant> variants(Json stored) {
    return stored == null ? List.of() : List.of(JSON.readValue(stored.asString(), JobVariant[].class));
  }

  private static JobEdit edit(Json stored) {
    return stored == null ? null : JSON.readValue(stored.asString(), JobEdit.class);
  }

  private static JobRow read(Readable row) {
    return new JobRow(
        row.get("job_id", String.class),
        row.get("tenant_id", String.class),
        row.get("job_type", String.class),
        row.get("project_id", String.class),
        row.get("branch_id", String.class),
        row.get("scene_id", String.class),
        row.get("shot_id", String.class),
        row.get("asset_id", String.class),
        row.get("prompt", String.class),
        row.get("style_capsule_id", String.class),
        row.get("style_text", String.class),
        row.get("style_capsule_version", Integer.class),
        row.get("aspect_ratio", String.class),
        row.get("image_size", String.class),
        row.get("provider", String.class),
        row.get("model", String.class),
        Priority.stored(row.get("priority", String.class)),
        row.get("batch_id", String.class),
        references(row.get("reference_images", Json.class)),
        edit(row.get("edit", Json.class)),
        row.get("variant_count", Integer.class),
        variants(row.get("variants", Json.class)),
        row.get("selected_variant", Integer.class),
        JobStatus.fromWireName(row.get("status", String.class)).orElseThrow(),
        row.get("attempt_count", Integer.class),
        row.get("earlier_attempts", Integer.class),
        row.get("retry_count", Integer.class),
        row.get("cancel_requested", Boolean.class),
        row.get("failure_stage", String.class),
        row.get("error_class", String.class),
        row.get("error_code", String.class),
        row.get("error_message", String.class),
        row.get("estimated_cost_micros", Long.class),
        row.get("actual_cost_micros", Long.class),
        row.get("earlier_cost_micros", Long.class),
        row.get("storage_path", String.class),
        row.get("object_uri", String.class),
        row.get("content_type", String.class),
        row.get("size_bytes", Long.class),
        row.get("width", Integer.class),
        row.get("height", Integer.class),
        row.get("sha256", String.class),
        row.get("created_at", Instant.class),
        row.get("started_at", Instant.class),
        row.get("completed_at", Instant.class),
        row.get("updated_at", Instant.class),
        row.get("last_event_seq", Integer.class));
  }

  private static EventPosition readPosition(Readable row) {
    return new EventPosition(row.get("tx_id", Long.class), row.get("global_seq", Long.class));
  }

  private static RecordedEvent readEvent(Readable row) {
    return new RecordedEvent(
        readPosition(row),
        row.get("job_id", String.class),
        row.get("tenant_id", String.class),
        row.get("project_id", String.class),
        row.get("seq", Integer.class),
        row.get("event_type", String.class),
        JobStatus.fromWireName(row.get("status_after", String.class)).orElseThrow(),
        row.get("job_after", String.class));
  }

  /**
   * A new job ready to insert: its row, and the statement part that inserts it.
   *
   * @param row the job as its {@code JobRequested} leaves it
   * @param insert defines {@code new_job} (the inserted job id), {@code new_job_event} and {@code new_job_backlog}
   */
  public record NewJob(JobRow row, SqlPart insert) {}

  /** A transaction met a newer one that already wrote an event of the same job; it must start again. */
  static final class PositionOrderConflict extends RuntimeException {
    PositionOrderConflict(String jobId, long jobTx, long ownTx) {
      super("Job " + jobId + " was last written by transaction " + jobTx + ", after this one (" + ownTx + ")",
          null, false, false);
    }
  }

  /** What one batch changes, built in memory before a single write. */
  private static final class Batch {
    final List<ApplyOutcome> outcomes = new ArrayList<>();
    final Map<String, JobRow> changedJobs = new TreeMap<>();
    final List<Map<String, Object>> events = new ArrayList<>();
    final Map<String, Long> backlog = new HashMap<>();
    final List<Map<String, Object>> endedRuns = new ArrayList<>();

    boolean isEmpty() {
      return events.isEmpty();
    }

    List<ApplyOutcome> outcomes() {
      return outcomes;
    }
  }

  private record Locked(JobRow row, long lastTxId) {}

  private record TransactionState(long txId, List<String> applied) {}

  private record Column<T>(String name, Function<JobRow, T> value) {}
}
