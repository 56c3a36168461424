package dev.imagejobs.streams.runtime;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the topology runs in this process.
 *
 * @param stateDir directory of the local state stores (RocksDB); rebuilt from the changelog topics
 *     when lost, so it may live on ephemeral disk
 * @param threads stream threads; more than the lifecycle topic's partitions leaves some idle
 * @param closeTimeout how long shutdown waits for the threads to commit and stop
 */
@ConfigurationProperties("imagejobs.streams")
record StreamsProperties(Path stateDir, int threads, Duration closeTimeout) {

  StreamsProperties {
    if (stateDir == null) {
      throw new IllegalArgumentException("imagejobs.streams.state-dir is required");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("imagejobs.streams.threads must be at least 1");
    }
    if (closeTimeout == null || closeTimeout.isNegative()) {
      throw new IllegalArgumentException("imagejobs.streams.close-timeout must not be negative");
    }
  }
}
