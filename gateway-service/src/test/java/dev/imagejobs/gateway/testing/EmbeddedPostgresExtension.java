package dev.imagejobs.gateway.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.DisposableBean;

/**
 * One real PostgreSQL server (zonky's packaged binaries) for every integration test of the JVM,
 * shared like the Spring context that uses it. It keeps its data directory and port across
 * {@link #stop()} and {@link #start()}, so a test can take the database away from a running
 * gateway and bring it back. {@link Lifetime}, a bean of the test context, shuts it down after the
 * context has stopped its consumers.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback {
  private static Path dataDirectory;
  private static int port;
  private static EmbeddedPostgres postgres;

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  public static synchronized void start() {
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

  public static synchronized void stop() {
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

  /** The port, starting the server on first use (property sources ask before any test runs). */
  public static synchronized int port() {
    start();
    return port;
  }

  public static synchronized DataSource dataSource() {
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    return postgres.getPostgresDatabase();
  }

  private static synchronized void shutDown() throws IOException {
    stop();
    if (dataDirectory != null) {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
      dataDirectory = null;
    }
  }

  /** Stops the server and deletes its data when the test context closes, after the gateway has stopped. */
  public static final class Lifetime implements DisposableBean {
    @Override
    public void destroy() throws IOException {
      shutDown();
    }
  }
}
