package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL of the local stack: zonky's binaries on a data directory that outlives the server. */
class PostgresServerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path stateDir;

  @Test
  void createsTheDatabaseOnceAndKeepsItsDataWhenRestartedOnAnotherPort() throws Exception {
    // Given a server on a fresh state directory with one committed row in the stack's database
    StateDirectory state = new StateDirectory(stateDir);
    try (PostgresServer postgres = PostgresServer.start(state, FreePorts.resolve(0)[0], TIMEOUT);
        Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        Statement statement = connection.createStatement()) {
      assertThat(connection.getCatalog()).isEqualTo("imagejobs");
      statement.execute("CREATE TABLE jobs (id text PRIMARY KEY)");
      statement.execute("INSERT INTO jobs VALUES ('job-1')");
    }
    Path pgVersion = state.postgres().resolve("PG_VERSION");
    var initialised = Files.getLastModifiedTime(pgVersion);

    // When it is stopped and started again on the same data directory, on another port
    try (PostgresServer postgres = PostgresServer.start(state, FreePorts.resolve(0)[0], TIMEOUT)) {

      // Then the cluster was not initialised again and the row is still there
      assertThat(Files.getLastModifiedTime(pgVersion)).isEqualTo(initialised);
      assertThat(jobIds(postgres)).isEqualTo("job-1");
    }
  }

  @Test
  void commitsDurablyAsInProductionDespiteTheEmbeddedDefaults() throws Exception {
    // Given a running server (zonky starts it with -F and synchronous_commit=off unless told otherwise)
    try (PostgresServer postgres = PostgresServer.start(new StateDirectory(stateDir), FreePorts.resolve(0)[0], TIMEOUT)) {

      // Then the server reports that every commit is flushed to disk before it is acknowledged
      assertThat(show(postgres, "fsync")).isEqualTo("on");
      assertThat(show(postgres, "synchronous_commit")).isEqualTo("on");
      assertThat(postgres.pid()).hasValueSatisfying(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
    }
  }

  private static String show(PostgresServer postgres, String setting) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW " + setting)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static String jobIds(PostgresServer postgres) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT string_agg(id, ',') FROM jobs")) {
      rows.next();
      return rows.getString(1);
    }
  }
}
