package dev.imagejobs.gateway.operations;

import dev.imagejobs.gateway.budgets.Money;
import dev.imagejobs.gateway.operations.OperatorOverview.ClassCount;
import dev.imagejobs.gateway.operations.OperatorOverview.Minute;
import dev.imagejobs.gateway.operations.OperatorOverview.ProjectSpend;
import dev.imagejobs.gateway.operations.OperatorOverview.QueuedByPriority;
import dev.imagejobs.gateway.operations.OperatorOverview.StatusAges;
import dev.imagejobs.gateway.operations.OperatorOverview.StatusCount;
import dev.imagejobs.gateway.operations.OperatorOverview.StuckJob;
import dev.imagejobs.gateway.readmodel.Priority;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The dashboard's figures from the read model, across tenants. Each is one aggregate query over the
 * jobs table (no index serves them: one more index on the status or the time of the last change
 * would make every event's update of a job write more, so the dashboard pays instead, at most once
 * per refresh interval per gateway instance).
 */
@Component
class JobFigures {
  private static final String ENDED = "('completed', 'failed', 'canceled')";
  private static final Duration WINDOW = Duration.ofMinutes(15);

  private final DatabaseClient db;

  JobFigures(DatabaseClient db) {
    this.db = db;
  }

  Flux<StatusAges> active() {
    return db.sql("""
        SELECT status, count(*) AS jobs,
               count(*) FILTER (WHERE now() - updated_at < interval '1 minute') AS m1,
               count(*) FILTER (WHERE now() - updated_at >= interval '1 minute'
                                  AND now() - updated_at < interval '10 minutes') AS m10,
               count(*) FILTER (WHERE now() - updated_at >= interval '10 minutes'
                                  AND now() - updated_at < interval '1 hour') AS m60,
               count(*) FILTER (WHERE now() - updated_at >= interval '1 hour') AS older,
               extract(epoch FROM now() - min(updated_at))::float8 AS oldest
        FROM jobs WHERE status NOT IN""" + ENDED + " GROUP BY status ORDER BY status")
        .map(row -> new StatusAges(row.get("status", String.class), count(row, "jobs"), count(row, "m1"),
            count(row, "m10"), count(row, "m60"), count(row, "older"), row.get("oldest", Double.class)))
        .all();
  }

  /** Queued jobs of each priority, highest first, every priority listed even without jobs. */
  Mono<List<QueuedByPriority>> queuedByPriority() {
    return db.sql("SELECT priority, count(*) AS jobs, extract(epoch FROM now() - min(updated_at))::float8 AS oldest"
            + " FROM jobs WHERE status = 'queued' GROUP BY priority")
        .map(row -> new QueuedByPriority(row.get("priority", String.class), count(row, "jobs"),
            row.get("oldest", Double.class)))
        .all()
        .collectMap(QueuedByPriority::priority)
        .map(found -> Priority.WIRE_NAMES.stream()
            .map(priority -> found.getOrDefault(priority, new QueuedByPriority(priority, 0, null)))
            .toList());
  }

  Flux<StatusCount> endedLastHour() {
    return db.sql("SELECT status, count(*) AS jobs FROM jobs WHERE status IN " + ENDED
            + " AND updated_at >= now() - interval '1 hour' GROUP BY status ORDER BY status")
        .map(row -> new StatusCount(row.get("status", String.class), count(row, "jobs")))
        .all();
  }

  Flux<StuckJob> stuck(Duration after) {
    return db.sql("SELECT job_id, tenant_id, project_id, status, updated_at,"
            + " extract(epoch FROM now() - updated_at)::float8 AS seconds FROM jobs WHERE status NOT IN " + ENDED
            + " AND updated_at < now() - make_interval(secs => :after) ORDER BY updated_at LIMIT 20")
        .bind("after", after.toMillis() / 1000.0)
        .map(row -> new StuckJob(row.get("job_id", String.class), row.get("tenant_id", String.class),
            row.get("project_id", String.class), row.get("status", String.class), instant(row, "updated_at"),
            row.get("seconds", Double.class)))
        .all();
  }

  /** The last 15 minutes, the current one last, minutes without jobs included. */
  Mono<List<Minute>> minutes(Instant now) {
    Instant first = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(WINDOW).plus(Duration.ofMinutes(1));
    Mono<Map<Instant, Long>> created = perMinute("created_at", "TRUE", first);
    Mono<Map<Instant, Long>> failed = perMinute("updated_at", "status = 'failed'", first);
    Mono<Map<Instant, Minute>> completed = db.sql("""
            SELECT date_trunc('minute', completed_at) AS minute, count(*) AS jobs,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at))::float8 AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at))::float8 AS p95
            FROM jobs WHERE status = 'completed' AND completed_at >= :first GROUP BY 1""")
        .bind("first", first)
        .map(row -> new Minute(instant(row, "minute"), 0, count(row, "jobs"), 0, row.get("p50", Double.class),
            row.get("p95", Double.class)))
        .all()
        .collectMap(Minute::minute);
    return Mono.zip(created, failed, completed).map(all -> {
      List<Minute> minutes = new ArrayList<>();
      for (Instant minute = first; !minute.isAfter(now); minute = minute.plus(Duration.ofMinutes(1))) {
        Minute done = all.getT3().get(minute);
        minutes.add(new Minute(minute, all.getT1().getOrDefault(minute, 0L),
            done == null ? 0 : done.completed(), all.getT2().getOrDefault(minute, 0L),
            done == null ? null : done.p50Seconds(), done == null ? null : done.p95Seconds()));
      }
      return minutes;
    });
  }

  Flux<ClassCount> failuresLastHour() {
    return db.sql("SELECT coalesce(error_class, 'UNKNOWN') AS error_class, count(*) AS jobs FROM jobs"
            + " WHERE status = 'failed' AND updated_at >= now() - interval '1 hour' GROUP BY 1 ORDER BY jobs DESC, 1")
        .map(row -> new ClassCount(row.get("error_class", String.class), count(row, "jobs")))
        .all();
  }

  Flux<ProjectSpend> spendToday() {
    return db.sql("SELECT tenant_id, project_id, count(*) AS jobs,"
            + " sum(coalesce(actual_cost_micros, 0) + earlier_cost_micros)::bigint AS micros FROM jobs"
            + " WHERE status IN " + ENDED + " AND updated_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
            + " GROUP BY tenant_id, project_id ORDER BY micros DESC, tenant_id, project_id LIMIT 50")
        .map(row -> new ProjectSpend(row.get("tenant_id", String.class), row.get("project_id", String.class),
            count(row, "jobs"), Money.usd(row.get("micros", Long.class))))
        .all();
  }

  /** Jobs being generated now, by the lifecycle partition they are on (that of their latest event). */
  Mono<Map<Integer, Long>> inGenerationByPartition() {
    return db.sql("SELECT e.kafka_partition AS partition, count(*) AS jobs FROM jobs j"
            + " JOIN job_events e ON e.job_id = j.job_id AND e.seq = j.last_event_seq"
            + " WHERE j.status IN ('processing', 'generating') AND e.kafka_partition IS NOT NULL GROUP BY 1")
        .map(row -> Map.entry(row.get("partition", Integer.class), count(row, "jobs")))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** The projection's positions, kept in PostgreSQL rather than in Kafka: partition to next offset. */
  Mono<Map<Integer, Long>> projectionOffsets(String group, String topic) {
    return db.sql("SELECT partition, next_offset FROM projection_offsets WHERE consumer_group = :group AND topic = :topic")
        .bind("group", group).bind("topic", topic)
        .map(row -> Map.entry(row.get("partition", Integer.class), row.get("next_offset", Long.class)))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private Mono<Map<Instant, Long>> perMinute(String column, String condition, Instant first) {
    return db.sql("SELECT date_trunc('minute', " + column + ") AS minute, count(*) AS jobs FROM jobs WHERE "
            + condition + " AND " + column + " >= :first GROUP BY 1")
        .bind("first", first)
        .map(row -> Map.entry(instant(row, "minute"), count(row, "jobs")))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
  }

  private static long count(Readable row, String column) {
    Long value = row.get(column, Long.class);
    return value == null ? 0 : value;
  }

  private static Instant instant(Readable row, String column) {
    OffsetDateTime value = row.get(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
