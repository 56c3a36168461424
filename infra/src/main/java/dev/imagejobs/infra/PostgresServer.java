package dev.imagejobs.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server from zonky's packaged binaries, with its data directory under
 * {@code <state>/postgres}. initdb runs only when the directory holds no cluster yet
 * (zonky skips it when {@code postgresql.conf} exists and clean-up is off); as root, zonky runs
 * the server under {@code unshare -U}, since PostgreSQL refuses to run as root.
 */
final class PostgresServer implements AutoCloseable {

  static final String USER = "postgres";
  static final String DATABASE = "imagejobs";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(15);

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private PostgresServer(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  /** Starts the server on {@code port} (initialising {@code dataDir} the first time) and creates the database. */
  static PostgresServer start(StateDirectory state, int port, Duration timeout) {
    Path dataDir = state.postgres();
    Path logFile = state.log("postgres");
    stopLeftover(dataDir);
    boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(logFile.toFile());
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setRegisterShutdownHook(false)
          .setPGStartupWait(timeout)
          // zonky turns commits asynchronous and starts the server with -F (fsync off) for test
          // speed; the stack keeps the durability production has and the outbox relies on: a commit
          // is on disk before it is acknowledged. The -c fsync=on these add comes after -F on the
          // command line and wins (PostgresServerIT checks what the server reports).
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setOutputRedirector(log)
          .setErrorRedirector(log)
          .start();
      PostgresServer server = new PostgresServer(postgres, dataDir);
      try {
        server.createDatabaseIfMissing();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      LOG.info("PostgreSQL up on port {} ({} data directory {})", port, fresh ? "new" : "existing", dataDir);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL did not start; see " + logFile + ": " + e.getMessage(), e);
    }
  }

  int port() {
    return postgres.getPort();
  }

  /** Process id of the postmaster (the first line of {@code postmaster.pid}); its backends are its children. */
  Optional<Long> pid() {
    return readPid(dataDir.resolve("postmaster.pid"));
  }

  /** JDBC URL of the stack's database, user included (no password: trust authentication on localhost). */
  String jdbcUrl() {
    return postgres.getJdbcUrl(USER, DATABASE);
  }

  /** Fast shutdown ({@code pg_ctl stop -m fast}): sessions are closed, committed data is kept. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.error("PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  private void createDatabaseIfMissing() {
    try (Connection connection = DriverManager.getConnection(postgres.getJdbcUrl(USER, "postgres"));
        PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet result = exists.executeQuery()) {
        if (result.next()) {
          return;
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE DATABASE " + DATABASE);
      }
      LOG.info("Created database {}", DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  /**
   * A launcher killed without its shutdown hook leaves the postmaster running on the data
   * directory; its pid is the first line of {@code postmaster.pid}.
   */
  private static void stopLeftover(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    readPid(pidFile)
        .flatMap(ProcessHandle::of)
        .filter(handle -> handle.info().command().map(command -> command.endsWith("/postgres")).orElse(false))
        .ifPresent(handle -> {
          LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by an earlier launcher", handle.pid(), dataDir);
          ChildProcess.terminate(handle, LEFTOVER_GRACE);
        });
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      List<String> lines = Files.readAllLines(pidFile);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
