package dev.imagejobs.audit;

import dev.imagejobs.gateway.readmodel.ConsumedEvent;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordPosition;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.connection.SingleConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Rebuilds the read model from offset 0 of the lifecycle topic into a fresh schema, running the
 * gateway's own migrations and its one write path ({@link ReadModel#apply}), so the result is what
 * the projection must have produced. Nothing is written to Kafka or to the live schema.
 *
 * <p>A job's events all lie in one partition, so the partitions are split among
 * {@link AuditSettings#rebuildWriters} writers, each reading its partitions with a consumer of its
 * own and applying their events in offset order on a connection of its own: no two writers ever
 * touch the same job, nor wait for each other's records.
 *
 * <p>The schema is scratch, dropped (or kept for reading) once compared: its tables are unlogged and
 * its transactions do not wait for the WAL ({@code synchronous_commit=off}). A crash of the server
 * empties it; a rebuild cut short is started again from offset 0 anyway.
 */
final class ReadModelRebuild {
  /** Events per transaction of a writer. */
  static final int BATCH = 1_000;
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

  /**
   * What the rebuild read and where it wrote.
   *
   * @param writers the writers that replayed: as set, or fewer when the topic has fewer partitions
   * @param replay the time from the first record read to the last transaction committed
   */
  record Result(String schema, long applied, long undecodable, int writers, Duration replay) {
    /** Events applied per second of the replay. */
    double eventsPerSecond() {
      double seconds = replay.toNanos() / 1e9;
      return seconds > 0 ? applied / seconds : 0;
    }
  }

  private final AuditSettings settings;
  private final TopicReader reader;
  private final Clock clock;

  ReadModelRebuild(AuditSettings settings, TopicReader reader, Clock clock) {
    this.settings = settings;
    this.reader = reader;
    this.clock = clock;
  }

  Result run() {
    // Time for the operator, a random tail so two audits started in the same second never collide.
    String schema = "audit_" + SUFFIX.format(clock.instant()) + "_"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    createSchema(schema);
    PostgresqlConnectionFactory connections = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
        .host(settings.postgresHost())
        .port(settings.postgresPort())
        .database(settings.database())
        .username(settings.user())
        .password(settings.password())
        .sslMode(settings.r2dbcSslMode())
        // pg_catalog listed explicitly comes after the audit schema, so the schema's no-op
        // pg_notify shadows the real one: a rebuild never wakes the live gateways' event streams.
        .options(Map.of("search_path", schema + ", pg_catalog", "synchronous_commit", "off"))
        .build());
    int count = Math.min(settings.rebuildWriters(), reader.partitionCount());
    long begun = System.nanoTime();
    AtomicInteger named = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(count, task -> {
      Thread thread = new Thread(task, "rebuild-writer-" + named.getAndIncrement());
      thread.setDaemon(true);
      return thread;
    });
    try {
      CompletionService<Replayed> writers = new ExecutorCompletionService<>(pool);
      for (int i = 0; i < count; i++) {
        writers.submit(new Writer(reader, connections, i, count));
      }
      long applied = 0;
      long undecodable = 0;
      // In the order they finish: the first failure stops the others at once.
      for (int i = 0; i < count; i++) {
        Replayed replayed = writers.take().get();
        applied += replayed.applied();
        undecodable += replayed.undecodable();
      }
      return new Result(schema, applied, undecodable, count, Duration.ofNanos(System.nanoTime() - begun));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("A rebuild writer failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the writers replayed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** What one writer applied, and the records it skipped as undecodable. */
  private record Replayed(long applied, long undecodable) {}

  /**
   * Reads the partitions {@code p} with {@code p % count == index} and applies their events in
   * batches, in offset order, each batch in a transaction of its own on one connection it keeps
   * for the whole replay.
   */
  private static final class Writer implements Callable<Replayed> {
    private final TopicReader reader;
    private final PostgresqlConnectionFactory connections;
    private final int index;
    private final int count;

    Writer(TopicReader reader, PostgresqlConnectionFactory connections, int index, int count) {
      this.reader = reader;
      this.connections = connections;
      this.index = index;
      this.count = count;
    }

    @Override
    public Replayed call() {
      SingleConnectionFactory connection = new SingleConnectionFactory(connections);
      connection.setSuppressClose(true);
      try {
        ReadModel readModel = new ReadModel(DatabaseClient.create(connection));
        TransactionalOperator transactions = TransactionalOperator.create(new R2dbcTransactionManager(connection));
        // A shard of its own, as each partition's projection has: writers never wait for each other's row.
        int backlogShard = ReadModel.projectionBacklogShard(index);
        List<ConsumedEvent> batch = new ArrayList<>(BATCH);
        long[] counts = new long[2];
        Runnable apply = () -> {
          if (!batch.isEmpty()) {
            List<ConsumedEvent> events = List.copyOf(batch);
            ReadModel.inTransaction(transactions, () -> readModel.apply(events, backlogShard)).block();
            counts[0] += events.size();
            batch.clear();
          }
        };
        reader.readPartitions(partition -> partition % count == index, entry -> {
          if (entry.event() == null) {
            counts[1]++;
            return;
          }
          batch.add(new ConsumedEvent(entry.event(), new RecordPosition(entry.partition(), entry.offset())));
          if (batch.size() == BATCH) {
            apply.run();
          }
        });
        apply.run();
        return new Replayed(counts[0], counts[1]);
      } finally {
        connection.destroy();
      }
    }
  }

  private void createSchema(String schema) {
    try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
        Statement statement = connection.createStatement()) {
      Flyway.configure()
          .dataSource(settings.jdbcUrl(), settings.user(), settings.password())
          .schemas(schema)
          .defaultSchema(schema)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      statement.execute("CREATE FUNCTION " + schema + ".pg_notify(channel text, payload text) RETURNS void"
          + " LANGUAGE plpgsql AS $$ BEGIN END $$");
      unlogged(connection, schema);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create schema " + schema + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the scratch schema's tables unlogged: the replay writes no WAL for them (a crash of the
   * server empties them, and the audit would start again anyway). A table referenced by another
   * can turn only after the tables referencing it, so this goes round until every table has.
   */
  private static void unlogged(Connection connection, String schema) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (PreparedStatement list = connection.prepareStatement(
        "SELECT tablename FROM pg_tables WHERE schemaname = ? AND tablename <> 'flyway_schema_history'")) {
      list.setString(1, schema);
      try (ResultSet rows = list.executeQuery()) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
    }
    // Each statement commits on its own, so one refused now does not undo the others.
    while (!tables.isEmpty()) {
      List<String> left = new ArrayList<>();
      SQLException last = null;
      for (String table : tables) {
        try (Statement alter = connection.createStatement()) {
          alter.execute("ALTER TABLE " + schema + "." + table + " SET UNLOGGED");
        } catch (SQLException e) {
          left.add(table);
          last = e;
        }
      }
      if (left.size() == tables.size()) {
        throw last;
      }
      tables = left;
    }
  }

  static void drop(AuditSettings settings, String schema) {
    try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot drop schema " + schema + ": " + e.getMessage(), e);
    }
  }
}
