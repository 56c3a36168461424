package dev.imagejobs.infra.benchmark;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples what PostgreSQL's busy backends of the stack's database are doing, every 100 ms, from
 * {@code pg_stat_activity}: their state and wait event ({@code CPU} when a backend waits for
 * nothing). The histogram says whether commits wait for the disk ({@code IO:WALSync}), for each
 * other ({@code LWLock:WALWrite}), for locks, or for the clients.
 */
final class PgActivitySampler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PgActivitySampler.class);
  private static final long INTERVAL_MILLIS = 100;
  private static final String QUERY = """
      SELECT state, wait_event_type, wait_event FROM pg_stat_activity
      WHERE datname = ? AND state IS NOT NULL AND state <> 'idle' AND pid <> pg_backend_pid()""";

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong samples = new AtomicLong();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "pg-activity-sampler");
    thread.setDaemon(true);
    return thread;
  });
  private final Connection connection;
  private final PreparedStatement query;

  PgActivitySampler(String jdbcUrl, String database) throws SQLException {
    this.connection = DriverManager.getConnection(jdbcUrl);
    this.query = connection.prepareStatement(QUERY);
    query.setString(1, database);
  }

  void start() {
    timer.scheduleAtFixedRate(this::sample, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Backends seen per {@code state / wait event}, most first, and the number of samples taken. */
  Map<String, Long> histogram() {
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .forEach(entry -> sorted.put(entry.getKey(), entry.getValue().get()));
    return sorted;
  }

  long samples() {
    return samples.get();
  }

  private void sample() {
    try (ResultSet rows = query.executeQuery()) {
      samples.incrementAndGet();
      while (rows.next()) {
        String type = rows.getString(2);
        String wait = type == null ? "CPU" : type + ":" + rows.getString(3);
        counts.computeIfAbsent(rows.getString(1) + " / " + wait, key -> new AtomicLong()).incrementAndGet();
      }
    } catch (SQLException e) {
      LOG.debug("pg_stat_activity sample failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      connection.close();
    } catch (SQLException e) {
      LOG.debug("Closing the sampler's connection: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
