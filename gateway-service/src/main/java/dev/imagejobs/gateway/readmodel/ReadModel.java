package dev.imagejobs.gateway.readmodel;

import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.EventMetadata;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads job rows and applies lifecycle events to them. {@link #apply} is the one write path of the
 * {@code jobs} and {@code job_events} tables, used by job creation and by the projection; it must
 * run inside the caller's transaction, so the change commits together with the caller's outbox row
 * or Kafka offsets.
 */
@Component
public class ReadModel {
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

  private static final String SELECT_JOB = "SELECT " + COLUMN_LIST + " FROM jobs WHERE job_id = :job_id";

  private static final String UPSERT_JOB = "INSERT INTO jobs (" + COLUMN_LIST + ") VALUES ("
      + COLUMNS.stream().map(c -> ":" + c.name()).collect(Collectors.joining(", "))
      + ") ON CONFLICT (job_id) DO UPDATE SET "
      + COLUMNS.stream().skip(1).map(c -> c.name() + " = EXCLUDED." + c.name()).collect(Collectors.joining(", "));

  private static final String INSERT_EVENT = """
      INSERT INTO job_events (job_id, seq, event_id, event_type, status_after, occurred_at, producer, attempt,
                              kafka_partition, kafka_offset, detail)
      VALUES (:job_id, :seq, :event_id, :event_type, :status_after, :occurred_at, :producer, :attempt,
              :kafka_partition, :kafka_offset, :detail)""";

  private final DatabaseClient db;

  public ReadModel(DatabaseClient db) {
    this.db = db;
  }

  /** The job's row, or empty when there is no such job. */
  public Mono<JobRow> find(String jobId) {
    return db.sql(SELECT_JOB).bind("job_id", jobId).map(ReadModel::read).one();
  }

  /**
   * Applies {@code event} to its job unless its id is already in the job's history (a redelivery)
   * or the state machine rejects it (logged). Call inside a transaction.
   *
   * @param position where the event was read, or {@code null} when the gateway applies its own event
   */
  public Mono<ApplyOutcome> apply(LifecycleEvent event, RecordPosition position) {
    EventMetadata metadata = event.metadata();
    return alreadyApplied(metadata.getEventId()).flatMap(duplicate -> duplicate
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
        .bind("detail", Json.of(EventDetails.json(event.payload())));
    history = bind(history, "kafka_partition", Integer.class, position == null ? null : position.partition());
    history = bind(history, "kafka_offset", Long.class, position == null ? null : position.offset());
    return upsert.fetch().rowsUpdated()
        .then(history.fetch().rowsUpdated())
        .thenReturn(ApplyOutcome.applied(row));
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

  private record Column<T>(String name, Class<T> type, Function<JobRow, T> value) {}
}
