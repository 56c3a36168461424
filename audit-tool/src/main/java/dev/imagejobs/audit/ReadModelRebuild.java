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
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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
    List<Writer> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        started.add(Writer.start(reader, connections, i, count));
      }
      long applied = 0;
      long undecodable = 0;
      for (Writer writer : started) {
        writer.await();
        applied += writer.applied;
        undecodable += writer.undecodable;
      }
      return new Result(schema, applied, undecodable, count, Duration.ofNanos(System.nanoTime() - begun));
    } finally {
      started.forEach(Writer::stop);
    }
  }

  /**
   * Reads the partitions {@code p} with {@code p % count == index} and applies their events in
   * batches, in offset order, each batch in a transaction of its own on one connection. A failure
   * stops this writer and is thrown by {@link #await}.
   */
  private static final class Writer implements Runnable {
    private final TopicReader reader;
    private final SingleConnectionFactory connection;
    private final ReadModel readModel;
    private final TransactionalOperator transactions;
    private final int index;
    private final int count;
    private final int backlogShard;
    private final Thread thread;
    // Written by the writer's thread only, read after it ended.
    private Throwable failure;
    private long applied;
    private long undecodable;

    private Writer(TopicReader reader, PostgresqlConnectionFactory connections, int index, int count) {
      this.reader = reader;
      this.connection = new SingleConnectionFactory(connections);
      connection.setSuppressClose(true);
      this.readModel = new ReadModel(DatabaseClient.create(connection));
      this.transactions = TransactionalOperator.create(new R2dbcTransactionManager(connection));
      this.index = index;
      this.count = count;
      // A shard of its own, as each partition's projection has: writers never wait for each other's row.
      this.backlogShard = ReadModel.projectionBacklogShard(index);
      this.thread = new Thread(this, "rebuild-writer-" + index);
      thread.setDaemon(true);
    }

    static Writer start(TopicReader reader, PostgresqlConnectionFactory connections, int index, int count) {
      Writer writer = new Writer(reader, connections, index, count);
      writer.thread.start();
      return writer;
    }

    @Override
    public void run() {
      try {
        List<ConsumedEvent> batch = new ArrayList<>(BATCH);
        reader.readPartitions(partition -> partition % count == index, entry -> {
          if (entry.event() == null) {
            undecodable++;
            return;
          }
          batch.add(new ConsumedEvent(entry.event(), new RecordPosition(entry.partition(), entry.offset())));
          if (batch.size() == BATCH) {
            apply(batch);
          }
        });
        apply(batch);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }

    private void apply(List<ConsumedEvent> batch) {
      if (batch.isEmpty()) {
        return;
      }
      List<ConsumedEvent> events = List.copyOf(batch);
      ReadModel.inTransaction(transactions, () -> readModel.apply(events, backlogShard)).block();
      applied += events.size();
      batch.clear();
    }

    /** Waits for the writer to read and apply its partitions; throws what stopped it, if anything. */
    void await() {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for a writer", e);
      }
      Throwable failed = failure;
      if (failed instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (failed instanceof Error error) {
        throw error;
      }
    }

    void stop() {
      thread.interrupt();
      connection.destroy();
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
    connection.setAutoCommit(false);
    while (!tables.isEmpty()) {
      List<String> left = new ArrayList<>();
      SQLException last = null;
      for (String table : tables) {
        Savepoint before = connection.setSavepoint();
        try (Statement alter = connection.createStatement()) {
          alter.execute("ALTER TABLE " + schema + "." + table + " SET UNLOGGED");
          connection.releaseSavepoint(before);
        } catch (SQLException e) {
          connection.rollback(before);
          left.add(table);
          last = e;
        }
      }
      if (left.size() == tables.size()) {
        throw last;
      }
      tables = left;
    }
    connection.commit();
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
