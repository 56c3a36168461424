package dev.imagejobs.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares the live read model with a rebuilt one, row by row and column by column, and each job's
 * history event by event. A live job holding events the rebuild never read (created or changed after
 * the replay started, or whose events are still in the outbox) is reported as in flight, not as a
 * difference.
 */
final class ReadModelComparison {
  /** Job columns that legitimately differ: which transaction wrote the row last. */
  private static final Set<String> PHYSICAL_COLUMNS = Set.of("last_tx_id");

  /** History columns that must match; Kafka positions and global ids legitimately differ. */
  private static final String HISTORY = "SELECT job_id, seq, event_id, event_type, status_after, occurred_at, producer,"
      + " attempt FROM %s.job_events ORDER BY job_id, seq";

  /**
   * The outcome: every difference found, the jobs skipped as in flight, and the jobs whose history
   * places a gateway command earlier than the topic does ({@link HistoryOrder}), which is no difference.
   */
  record Report(int jobsCompared, List<String> differences, Set<String> inFlight, Set<String> commandsEarlier) {
    boolean matches() {
      return differences.isEmpty();
    }
  }

  private final AuditSettings settings;

  ReadModelComparison(AuditSettings settings) {
    this.settings = settings;
  }

  Report compare(String liveSchema, String rebuiltSchema) {
    try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password())) {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      Map<String, Map<String, Object>> live = rows(connection, "SELECT * FROM " + liveSchema + ".jobs", "job_id");
      Map<String, Map<String, Object>> rebuilt = rows(connection, "SELECT * FROM " + rebuiltSchema + ".jobs", "job_id");
      Map<String, List<Map<String, Object>>> liveHistory = history(connection, liveSchema);
      Map<String, List<Map<String, Object>>> rebuiltHistory = history(connection, rebuiltSchema);
      connection.rollback();

      List<String> differences = new ArrayList<>();
      Set<String> inFlight = new TreeSet<>();
      Set<String> commandsEarlier = new TreeSet<>();
      int compared = 0;
      Set<String> jobIds = new TreeSet<>(live.keySet());
      jobIds.addAll(rebuilt.keySet());
      for (String jobId : jobIds) {
        List<Map<String, Object>> liveEvents = liveHistory.getOrDefault(jobId, List.of());
        List<Map<String, Object>> rebuiltEvents = rebuiltHistory.getOrDefault(jobId, List.of());
        if (!eventIds(rebuiltEvents).containsAll(eventIds(liveEvents))) {
          inFlight.add(jobId);
          continue;
        }
        compared++;
        if (!live.containsKey(jobId)) {
          differences.add("job " + jobId + ": in the topic but missing from the live read model");
          continue;
        }
        if (!rebuilt.containsKey(jobId)) {
          differences.add("job " + jobId + ": in the live read model but not in the topic");
          continue;
        }
        for (Map.Entry<String, Object> column : rebuilt.get(jobId).entrySet()) {
          if (PHYSICAL_COLUMNS.contains(column.getKey())) {
            continue;
          }
          Object liveValue = live.get(jobId).get(column.getKey());
          if (!Objects.equals(liveValue, column.getValue())) {
            differences.add("job " + jobId + ": " + column.getKey() + " live=" + liveValue + " rebuilt=" + column.getValue());
          }
        }
        if (HistoryOrder.sameButCommandsEarlier(liveEvents, rebuiltEvents)) {
          commandsEarlier.add(jobId);
        } else if (!liveEvents.equals(rebuiltEvents)) {
          differences.add("job " + jobId + ": history differs: live " + describe(liveEvents) + " rebuilt "
              + describe(rebuiltEvents));
        }
      }
      return new Report(compared, differences, inFlight, commandsEarlier);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot compare read models: " + e.getMessage(), e);
    }
  }

  private static Set<Object> eventIds(List<Map<String, Object>> events) {
    return events.stream().map(event -> event.get("event_id")).collect(Collectors.toSet());
  }

  private static String describe(List<Map<String, Object>> events) {
    return events.stream().map(e -> e.get("seq") + ":" + e.get("event_type") + "->" + e.get("status_after"))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static Map<String, List<Map<String, Object>>> history(Connection connection, String schema)
      throws SQLException {
    Map<String, List<Map<String, Object>>> byJob = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(HISTORY.formatted(schema))) {
      while (rs.next()) {
        Map<String, Object> row = row(rs);
        byJob.computeIfAbsent((String) row.get("job_id"), id -> new ArrayList<>()).add(row);
      }
    }
    return byJob;
  }

  private static Map<String, Map<String, Object>> rows(Connection connection, String sql, String key)
      throws SQLException {
    Map<String, Map<String, Object>> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        Map<String, Object> row = row(rs);
        rows.put((String) row.get(key), row);
      }
    }
    return rows;
  }

  private static Map<String, Object> row(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      Object value = rs.getObject(i);
      // jsonb arrives as PGobject, whose equals compares text; normalise to its text.
      row.put(meta.getColumnName(i), value instanceof org.postgresql.util.PGobject json ? json.getValue() : value);
    }
    return row;
  }
}
