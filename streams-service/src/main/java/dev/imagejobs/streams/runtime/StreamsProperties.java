package dev.imagejobs.streams.runtime;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the topology runs in this process.
 *
 * @param stateDir directory of the local state stores (RocksDB); rebuilt from the changelog topics
 *     when lost, so it may live on ephemeral disk
 * @param threads stream threads; more than the lifecycle topic's partitions leaves some idle
 * @param closeTimeout how long shutdown waits for the threads to commit and stop
 * @param applicationId the Kafka Streams application id: its consumer group, the prefix of its
 *     internal topics and of its state directory (default {@code
 *     <imagejobs.topics.prefix>image-jobs-streams}, in {@code application.yml})
 */
@ConfigurationProperties("imagejobs.streams")
record StreamsProperties(
    @DefaultValue(".local-stack/streams-state") Path stateDir,
    @DefaultValue("1") int threads,
    @DefaultValue("30s") Duration closeTimeout,
    String applicationId) {

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
    if (applicationId == null || applicationId.isBlank()) {
      throw new IllegalArgumentException("imagejobs.streams.application-id is required");
    }
  }
}
