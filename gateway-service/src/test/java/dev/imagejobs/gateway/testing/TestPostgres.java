package dev.imagejobs.gateway.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL server for every integration test of the JVM, shared like the Spring context
 * that uses it: zonky's packaged binaries, or a PostgreSQL container in the Testcontainers variant
 * ({@link TestInfrastructure}). The packaged server keeps its data directory and port across
 * {@link #stop()} and {@link #start()}, so a test can take the database away from a running
 * gateway and bring it back; the container variant skips such tests.
 */
public final class TestPostgres {
  static final String IMAGE = "postgres:17";

  private static Path dataDirectory;
  private static int port;
  private static EmbeddedPostgres postgres;
  private static PostgreSQLContainer container;

  private TestPostgres() {}

  public static synchronized void start() {
    if (TestInfrastructure.containers()) {
      startContainer();
      return;
    }
    if (postgres != null) {
      return;
    }
    try {
      if (dataDirectory == null) {
        dataDirectory = Files.createTempDirectory("gateway-it-postgres");
      }
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false);
      if (port != 0) {
        builder.setPort(port);
      }
      postgres = builder.start();
      port = postgres.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Takes the database away from the gateway, keeping its data and port for {@link #start()}. */
  public static synchronized void stop() {
    Assumptions.assumeFalse(TestInfrastructure.containers(),
        "the Testcontainers variant does not stop and restart the same database server");
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      postgres = null;
    }
  }

  /** The host the server listens on, starting it on first use (property sources ask before any test runs). */
  public static synchronized String host() {
    start();
    return container != null ? container.getHost() : "localhost";
  }

  /** The port, starting the server on first use. */
  public static synchronized int port() {
    start();
    return container != null ? container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT) : port;
  }

  public static synchronized DataSource dataSource() {
    if (container != null) {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setUrl(container.getJdbcUrl());
      dataSource.setUser(container.getUsername());
      dataSource.setPassword(container.getPassword());
      return dataSource;
    }
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    return postgres.getPostgresDatabase();
  }

  /** The R2DBC URL of the database the gateway uses. */
  public static String r2dbcUrl() {
    return "r2dbc:postgresql://postgres@" + host() + ":" + port() + "/postgres";
  }

  static synchronized void shutDown() throws IOException {
    if (container != null) {
      container.stop();
      container = null;
      return;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
    if (dataDirectory != null) {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
      dataDirectory = null;
    }
  }

  private static void startContainer() {
    if (container != null) {
      return;
    }
    // The same database, user and password-less access as the packaged server.
    PostgreSQLContainer started = new PostgreSQLContainer(IMAGE)
        .withDatabaseName("postgres")
        .withUsername("postgres")
        .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
    started.start();
    container = started;
  }
}
