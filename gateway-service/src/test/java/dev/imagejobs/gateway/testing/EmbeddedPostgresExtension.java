package dev.imagejobs.gateway.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server (zonky's packaged binaries) for one test class. It keeps its data
 * directory and port across {@link #stop()} and {@link #start()}, so a test can take the database
 * away from a running gateway and bring it back.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private static Path dataDirectory;
  private static int port;
  private static EmbeddedPostgres postgres;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dataDirectory = Files.createTempDirectory("gateway-it-postgres");
    port = 0;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  public static synchronized void start() {
    if (postgres != null) {
      return;
    }
    try {
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

  public static synchronized int port() {
    return port;
  }

  public static synchronized DataSource dataSource() {
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    return postgres.getPostgresDatabase();
  }
}
