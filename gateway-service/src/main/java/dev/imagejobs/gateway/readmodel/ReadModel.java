package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.EventMetadata;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads job rows and their history and applies lifecycle events to them. {@link #apply} is the one
 * write path of the {@code jobs} and {@code job_events} tables, used by job creation, retry, cancel
 * and the projection; it must run inside the caller's transaction, so the change commits together
 * with the caller's outbox row or Kafka offsets, and its notification goes out only then.
 */
@Component
public class ReadModel {
  /** The channel every applied event is announced on, after its transaction commits. */
  public static final String NOTIFY_CHANNEL = "image_jobs_events";

  /** Key of the advisory lock that orders writers of {@code job_events} ("IJEV"). */
  static final long EVENT_ORDER_LOCK = 0x494A_4556L;

  private static final Logger log = LoggerFactory.getLogger(ReadModel.class);

  private static final List<Column<?>> COLUMNS = List.of(
      new Column<>("job_id", String.class, JobRow::jobId),
      new Column<>("tenant_id", String.class, JobRow::tenantId),
      new Column<>("job_type", String.class, JobRow::jobType),
      new Column<>("project_id", String.class, JobRow::projectId),
      new Column<>("branch_id", String.class, JobRow::branchId),
      new Column<>("scene_id", String.class, JobRow::sceneId),
      new Column<>("shot_id", String.class, JobRow::shotId),
      new Column<>("asset_id", String.class, JobRow::assetId),
      new Column<>("prompt", String.class, JobRow::prompt),
      new Column<>("style_capsule_id", String.class, JobRow::styleCapsuleId),
      new Column<>("style_text", String.class, JobRow::styleText),
      new Column<>("aspect_ratio", String.class, JobRow::aspectRatio),
      new Column<>("image_size", String.class, JobRow::imageSize),
      new Column<>("provider", String.class, JobRow::provider),
      new Column<>("model", String.class, JobRow::model),
      new Column<>("status", String.class, row -> row.status().wireName()),
      new Column<>("attempt_count", Integer.class, JobRow::attemptCount),
      new Column<>("retry_count", Integer.class, JobRow::retryCount),
      new Column<>("cancel_requested", Boolean.class, JobRow::cancelRequested),
      new Column<>("failure_stage", String.class, JobRow::failureStage),
      new Column<>("error_class", String.class, JobRow::errorClass),
      new Column<>("error_code", String.class, JobRow::errorCode),
      new Column<>("error_message", String.class, JobRow::errorMessage),
      new Column<>("estimated_cost_micros", Long.class, JobRow::estimatedCostMicros),
      new Column<>("actual_cost_micros", Long.class, JobRow::actualCostMicros),
      new Column<>("storage_path", String.class, JobRow::storagePath),
      new Column<>("object_uri", String.class, JobRow::objectUri),
      new Column<>("content_type", String.class, JobRow::contentType),
      new Column<>("size_bytes", Long.class, JobRow::sizeBytes),
      new Column<>("width", Integer.class, JobRow::width),
      new Column<>("height", Integer.class, JobRow::height),
      new Column<>("sha256", String.class, JobRow::sha256),
      new Column<>("created_at", Instant.class, JobRow::createdAt),
      new Column<>("started_at", Instant.class, JobRow::startedAt),
      new Column<>("completed_at", Instant.class, JobRow::completedAt),
      new Column<>("updated_at", Instant.class, JobRow::updatedAt),
      new Column<>("last_event_seq", Integer.class, JobRow::lastEventSeq));

  private static final String COLUMN_LIST = COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "));

  private static final String SELECT_ALL_JOBS = "SELECT " + COLUMN_LIST + " FROM jobs";

  private static final String SELECT_JOB = SELECT_ALL_JOBS + " WHERE job_id = :job_id";

  private static final String UPSERT_JOB = "INSERT INTO jobs (" + COLUMN_LIST + ") VALUES ("
      + COLUMNS.stream().map(c -> ":" + c.name()).collect(Collectors.joining(", "))
      + ") ON CONFLICT (job_id) DO UPDATE SET "
      + COLUMNS.stream().skip(1).map(c -> c.name() + " = EXCLUDED." + c.name()).collect(Collectors.joining(", "));

  /**
   * Inserts the event into the job's history and announces it on {@link #NOTIFY_CHANNEL}. PostgreSQL
   * delivers the notification only when the transaction commits, so a listener never hears of a row
   * it cannot read yet. The payload is small (ids only); an oversized one falls back to the global
   * sequence alone, which still wakes every stream.
   */
  private static final String INSERT_EVENT = """
      WITH inserted AS (
        INSERT INTO job_events (job_id, seq, event_id, event_type, status_after, occurred_at, producer, attempt,
                                kafka_partition, kafka_offset, detail, tenant_id, project_id, job_after)
        VALUES (:job_id, :seq, :event_id, :event_type, :status_after, :occurred_at, :producer, :attempt,
                :kafka_partition, :kafka_offset, :detail, :tenant_id, :project_id, :job_after)
        RETURNING global_seq, job_id, seq, project_id)
      SELECT pg_notify('%s', CASE WHEN octet_length(job_id) + octet_length(project_id) <= 1000
          THEN json_build_object('id', global_seq, 'jobId', job_id, 'seq', seq, 'projectId', project_id)::text
          ELSE json_build_object('id', global_seq)::text END)
      FROM inserted""".formatted(NOTIFY_CHANNEL);

  private static final String SELECT_EVENTS = """
      SELECT global_seq, job_id, seq, event_type, status_after, job_after::text AS job_after FROM job_events""";

  private static final JsonMapper SNAPSHOTS = JsonMapper.builder().build();

  private final DatabaseClient db;

  public ReadModel(DatabaseClient db) {
    this.db = db;
  }

  /** The job's row, or empty when there is no such job. */
  public Mono<JobRow> find(String jobId) {
    return db.sql(SELECT_JOB).bind("job_id", jobId).map(ReadModel::read).one();
  }

  /**
   * Locks the job for a change the gateway is about to make (retry, cancel) and returns its row, or
   * empty when there is no such job. Takes the locks in the same order as {@link #apply}, so the two
   * never deadlock. Call inside a transaction.
   */
  public Mono<JobRow> lockForUpdate(String jobId) {
    return lockEventOrder().then(lockRow(jobId));
  }

  /**
   * Applies {@code event} to its job unless its id is already in the job's history (a redelivery)
   * or the state machine rejects it (logged). Call inside a transaction.
   *
   * @param position where the event was read, or {@code null} when the gateway applies its own event
   */
  public Mono<ApplyOutcome> apply(LifecycleEvent event, RecordPosition position) {
    EventMetadata metadata = event.metadata();
    return lockEventOrder().then(alreadyApplied(metadata.getEventId())).flatMap(duplicate -> duplicate
        ? Mono.just(ApplyOutcome.duplicate())
        : lockRow(metadata.getJobId())
            .map(row -> JobFold.apply(row, event))
            .switchIfEmpty(Mono.fromSupplier(() -> JobFold.apply(null, event)))
            .flatMap(result -> {
              if (result instanceof FoldResult.Applied applied) {
                return write(applied.row(), event, position);
              }
              log.warn("Not applied: event {} ({}) of job {} at {}: {}", metadata.getEventId(),
                  event.type().simpleName(), metadata.getJobId(), describe(position),
                  ((FoldResult.Rejected) result).reason());
              return Mono.just(ApplyOutcome.rejected());
            }));
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
    if (after != null) {
      sql.append(" AND (created_at, job_id) < (:after_created_at, :after_job_id)");
      values.put("after_created_at", after.createdAt());
      values.put("after_job_id", after.jobId());
    }
    sql.append(" ORDER BY created_at DESC, job_id DESC LIMIT :limit");
    values.put("limit", limit);
    GenericExecuteSpec spec = db.sql(sql.toString());
    for (Map.Entry<String, Object> value : values.entrySet()) {
      spec = spec.bind(value.getKey(), value.getValue());
    }
    return spec.map(ReadModel::read).all();
  }

  /** Up to {@code limit} events of a job after its event {@code afterSeq}, in order. */
  public Flux<RecordedEvent> eventsOfJob(String jobId, long afterSeq, int limit) {
    return db.sql(SELECT_EVENTS + " WHERE job_id = :job_id AND seq > :after ORDER BY seq LIMIT :limit")
        .bind("job_id", jobId)
        .bind("after", afterSeq)
        .bind("limit", limit)
        .map(ReadModel::readEvent)
        .all()
        .concatMap(this::withSnapshot);
  }

  /** Up to {@code limit} events of a project's jobs after the global position {@code afterGlobalSeq}, in order. */
  public Flux<RecordedEvent> eventsOfProject(String tenantId, String projectId, long afterGlobalSeq, int limit) {
    return db.sql(SELECT_EVENTS + """
             WHERE tenant_id = :tenant_id AND project_id = :project_id AND global_seq > :after
            ORDER BY global_seq LIMIT :limit""")
        .bind("tenant_id", tenantId)
        .bind("project_id", projectId)
        .bind("after", afterGlobalSeq)
        .bind("limit", limit)
        .map(ReadModel::readEvent)
        .all()
        .concatMap(this::withSnapshot);
  }

  /** The global position of a project's latest event, 0 when it has none. */
  public Mono<Long> projectPosition(String tenantId, String projectId) {
    return db.sql("""
            SELECT coalesce(max(global_seq), 0) FROM job_events
            WHERE tenant_id = :tenant_id AND project_id = :project_id""")
        .bind("tenant_id", tenantId)
        .bind("project_id", projectId)
        .map(row -> row.get(0, Long.class))
        .one();
  }

  /**
   * Serialises every writer of {@code job_events} until its transaction ends, so global sequence
   * numbers are taken, and become visible, in commit order (what makes resuming a project stream
   * after {@code Last-Event-ID} gap-free). Taken before any row lock, always.
   */
  private Mono<Void> lockEventOrder() {
    return db.sql("SELECT pg_advisory_xact_lock(:key)")
        .bind("key", EVENT_ORDER_LOCK)
        .map(row -> Boolean.TRUE)
        .all()
        .then();
  }

  private Mono<Boolean> alreadyApplied(String eventId) {
    return db.sql("SELECT EXISTS (SELECT 1 FROM job_events WHERE event_id = :event_id)")
        .bind("event_id", eventId)
        .map(row -> row.get(0, Boolean.class))
        .one();
  }

  /** Locks the row so concurrent writers of the same job serialise on it. */
  private Mono<JobRow> lockRow(String jobId) {
    return db.sql(SELECT_JOB + " FOR UPDATE").bind("job_id", jobId).map(ReadModel::read).one();
  }

  private Mono<ApplyOutcome> write(JobRow row, LifecycleEvent event, RecordPosition position) {
    GenericExecuteSpec upsert = db.sql(UPSERT_JOB);
    for (Column<?> column : COLUMNS) {
      upsert = bind(upsert, column.name(), column.type(), column.value().apply(row));
    }
    EventMetadata metadata = event.metadata();
    GenericExecuteSpec history = db.sql(INSERT_EVENT)
        .bind("job_id", row.jobId())
        .bind("seq", row.lastEventSeq())
        .bind("event_id", metadata.getEventId())
        .bind("event_type", event.type().simpleName())
        .bind("status_after", row.status().wireName())
        .bind("occurred_at", metadata.getOccurredAt())
        .bind("producer", Text.clean(metadata.getProducer()))
        .bind("attempt", metadata.getAttempt())
        .bind("detail", Json.of(EventDetails.json(event.payload())))
        .bind("tenant_id", row.tenantId())
        .bind("project_id", row.projectId())
        .bind("job_after", Json.of(SNAPSHOTS.writeValueAsString(row)));
    history = bind(history, "kafka_partition", Integer.class, position == null ? null : position.partition());
    history = bind(history, "kafka_offset", Long.class, position == null ? null : position.offset());
    return upsert.fetch().rowsUpdated()
        .then(history.map(result -> Boolean.TRUE).all().then())
        .thenReturn(ApplyOutcome.applied(row));
  }

  /**
   * Events written before snapshots existed have none; they show the job as it is now, with the
   * status and sequence number of the event.
   */
  private Mono<RecordedEvent> withSnapshot(StoredEvent event) {
    if (event.jobAfter() != null) {
      JobRow row = SNAPSHOTS.readValue(event.jobAfter(), JobRow.class);
      return Mono.just(new RecordedEvent(event.globalSeq(), event.jobId(), event.seq(), event.eventType(), row));
    }
    return find(event.jobId()).map(current -> {
      JobRow.Builder then = current.toBuilder();
      then.status = JobStatus.fromWireName(event.statusAfter()).orElse(current.status());
      then.lastEventSeq = event.seq();
      return new RecordedEvent(event.globalSeq(), event.jobId(), event.seq(), event.eventType(), then.build());
    });
  }

  private static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, Class<?> type, Object value) {
    return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
  }

  private static String describe(RecordPosition position) {
    return position == null ? "creation" : "partition " + position.partition() + " offset " + position.offset();
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
        row.get("aspect_ratio", String.class),
        row.get("image_size", String.class),
        row.get("provider", String.class),
        row.get("model", String.class),
        JobStatus.fromWireName(row.get("status", String.class)).orElseThrow(),
        row.get("attempt_count", Integer.class),
        row.get("retry_count", Integer.class),
        row.get("cancel_requested", Boolean.class),
        row.get("failure_stage", String.class),
        row.get("error_class", String.class),
        row.get("error_code", String.class),
        row.get("error_message", String.class),
        row.get("estimated_cost_micros", Long.class),
        row.get("actual_cost_micros", Long.class),
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

  private static StoredEvent readEvent(Readable row) {
    return new StoredEvent(
        row.get("global_seq", Long.class),
        row.get("job_id", String.class),
        row.get("seq", Integer.class),
        row.get("event_type", String.class),
        row.get("status_after", String.class),
        row.get("job_after", String.class));
  }

  private record Column<T>(String name, Class<T> type, Function<JobRow, T> value) {}

  private record StoredEvent(
      long globalSeq, String jobId, int seq, String eventType, String statusAfter, String jobAfter) {}
}
