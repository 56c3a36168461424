package dev.imagejobs.streams.runtime;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP while the topology runs or rebalances; DOWN once it stopped or failed. */
class StreamsHealthIndicator implements HealthIndicator {

  private final CompletionStreams streams;

  StreamsHealthIndicator(CompletionStreams streams) {
    this.streams = streams;
  }

  @Override
  public Health health() {
    KafkaStreams.State state = streams.state();
    Health.Builder health = state.isRunningOrRebalancing() ? Health.up() : Health.down();
    return health.withDetail("state", state.name()).build();
  }
}
