package dev.imagejobs.audit;

import dev.imagejobs.gateway.readmodel.ConsumedEvent;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordPosition;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Rebuilds the read model from offset 0 of the lifecycle topic into a fresh schema, running the
 * gateway's own migrations and its one write path ({@link ReadModel#apply}), so the result is what
 * the projection must have produced. Nothing is written to Kafka or to the live schema.
 */
final class ReadModelRebuild {
  private static final int BATCH = 500;
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

  /** What the rebuild read and where it wrote. */
  record Result(String schema, long applied, long undecodable) {}

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
        + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    createSchema(schema);
    PostgresqlConnectionFactory connections = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration.builder()
        .host(settings.postgresHost())
        .port(settings.postgresPort())
        .database(settings.database())
        .username(settings.user())
        .password(settings.password())
        // pg_catalog listed explicitly comes after the audit schema, so the schema's no-op
        // pg_notify shadows the real one: a rebuild never wakes the live gateways' event streams.
        .options(Map.of("search_path", schema + ", pg_catalog"))
        .build());
    ReadModel readModel = new ReadModel(DatabaseClient.create(connections));
    TransactionalOperator transactions = TransactionalOperator.create(new R2dbcTransactionManager(connections));
    long[] counts = new long[2];
    List<TopicReader.Entry> batch = new ArrayList<>(BATCH);
    reader.readAll(-1, entry -> {
      if (entry.event() == null) {
        counts[1]++;
        return;
      }
      batch.add(entry);
      if (batch.size() == BATCH) {
        counts[0] += apply(readModel, transactions, batch);
      }
    });
    counts[0] += apply(readModel, transactions, batch);
    return new Result(schema, counts[0], counts[1]);
  }

  private static int apply(ReadModel readModel, TransactionalOperator transactions, List<TopicReader.Entry> batch) {
    int size = batch.size();
    if (size > 0) {
      List<ConsumedEvent> events = batch.stream()
          .map(entry -> new ConsumedEvent(entry.event(), new RecordPosition(entry.partition(), entry.offset())))
          .toList();
      ReadModel.inTransaction(transactions, () -> readModel.apply(events, ReadModel.projectionBacklogShard(0)))
          .block();
      batch.clear();
    }
    return size;
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
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create schema " + schema + ": " + e.getMessage(), e);
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
