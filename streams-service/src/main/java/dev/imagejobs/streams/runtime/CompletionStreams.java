package dev.imagejobs.streams.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the completion topology once the application context is ready (after KafkaAdmin created
 * the topics) and closes it on shutdown, so the last transaction commits before the process ends.
 */
class CompletionStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(CompletionStreams.class);

  private final Topology topology;
  private final Properties config;
  private final StreamsProperties properties;
  private final MeterRegistry registry;
  private volatile KafkaStreams streams;
  private KafkaStreamsMetrics metrics;

  CompletionStreams(Topology topology, Properties config, StreamsProperties properties, MeterRegistry registry) {
    this.topology = topology;
    this.config = config;
    this.properties = properties;
    this.registry = registry;
  }

  @Override
  public synchronized void start() {
    if (streams != null) {
      return;
    }
    KafkaStreams started = new KafkaStreams(topology, config);
    started.setUncaughtExceptionHandler(exception -> {
      // Poison records never get here (they are dead-lettered); what does is a broker or disk
      // problem, which a fresh thread may survive after the aborted transaction.
      log.error("Stream thread failed; replacing it", exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    started.setStateListener((newState, oldState) -> log.info("Streams {} -> {}", oldState, newState));
    // Kafka Streams' own metrics (and its clients') on /actuator/prometheus while it runs.
    metrics = new KafkaStreamsMetrics(started);
    metrics.bindTo(registry);
    started.start();
    streams = started;
  }

  @Override
  public synchronized void stop() {
    KafkaStreams running = streams;
    if (running == null) {
      return;
    }
    if (!running.close(properties.closeTimeout())) {
      log.warn("Streams did not stop within {}", properties.closeTimeout());
    }
    metrics.close();
    streams = null;
  }

  @Override
  public boolean isRunning() {
    return streams != null;
  }

  /** The state of the running topology, {@code NOT_RUNNING} when stopped. */
  KafkaStreams.State state() {
    KafkaStreams running = streams;
    return running == null ? KafkaStreams.State.NOT_RUNNING : running.state();
  }
}
