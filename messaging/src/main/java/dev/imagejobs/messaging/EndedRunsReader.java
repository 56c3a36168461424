package dev.imagejobs.messaging;

import dev.imagejobs.schemas.RunEndedCodec;
import dev.imagejobs.schemas.UndecodableEventException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Keeps this instance's {@link EndedRuns} up to date from the ended-runs topic
 * ({@link Topics#ENDED_RUNS}). Every instance reads every partition from the beginning (no consumer
 * group, {@code read_committed}) on a thread of its own, and {@link #start()} returns only once it
 * has read what the topic held when it started, so the service's consumer, which starts after it,
 * never asks a half-loaded copy; afterwards it follows the topic with the delay of a fetch (well
 * under a second). A start that cannot read the topic within the load timeout fails, rather than
 * letting jobs run unchecked.
 */
public final class EndedRunsReader extends ConsumerLoop {

  /** Starts before the services' consumers (default phase) and stops after them. */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1000;

  private static final Logger log = LoggerFactory.getLogger(EndedRunsReader.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final Duration HOUSEKEEPING_INTERVAL = Duration.ofMinutes(1);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final RunEndedCodec codec = new RunEndedCodec();
  private final EndedRuns endedRuns;
  private final Duration loadTimeout;
  private final Clock clock;
  private final AtomicLong undecodable = new AtomicLong();

  private volatile CountDownLatch loaded = new CountDownLatch(1);
  private final String topic;

  /**
   * @param consumers the service's consumer factory (bootstrap servers, security); records are read
   *     as raw bytes with {@code read_committed} and no offsets are committed
   * @param topic the ended-runs topic's name in this deployment
   * @param endedRuns what is read goes there
   * @param loadTimeout how long {@link #start()} waits for the topic to be read before failing the start
   * @param clock paces the housekeeping (new partitions, forgetting runs beyond the horizon)
   */
  public EndedRunsReader(ConsumerFactory<?, ?> consumers, String topic, EndedRuns endedRuns, Duration loadTimeout,
      Clock clock) {
    super(consumers, "ended-runs");
    this.topic = topic;
    this.endedRuns = endedRuns;
    this.loadTimeout = loadTimeout;
    this.clock = clock;
  }

  /** Records of the topic that could not be decoded and were skipped. */
  public long undecodable() {
    return undecodable.get();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  protected Properties overrides() {
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return overrides;
  }

  @Override
  protected Duration stopTimeout() {
    return STOP_TIMEOUT;
  }

  /**
   * Starts reading and waits until the topic as it was now is read.
   *
   * @throws IllegalStateException when that took longer than the load timeout
   */
  @Override
  public void start() {
    CountDownLatch startLoaded;
    synchronized (this) {
      if (isRunning()) {
        return;
      }
      startLoaded = new CountDownLatch(1);
      loaded = startLoaded;
      super.start();
    }
    try {
      if (!startLoaded.await(loadTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop();
        throw new IllegalStateException("The ended-runs topic " + topic + " could not be read within "
            + loadTimeout + "; without it no job can be started safely");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("Interrupted while reading the ended-runs topic", e);
    }
    log.info("Ended runs loaded: {} jobs", endedRuns.size());
  }

  @Override
  protected void loop() {
    Consumer<byte[], byte[]> consumer = consumer();
    Map<TopicPartition, Long> loadEnd = Map.of();
    Instant nextHousekeeping = Instant.MIN;
    try {
      while (isRunning()) {
        try {
          if (!clock.instant().isBefore(nextHousekeeping)) {
            Set<TopicPartition> added = assignEveryPartition();
            if (loaded.getCount() > 0 && !added.isEmpty()) {
              loadEnd = consumer.endOffsets(added);
            }
            endedRuns.forgetOlderThanHorizon();
            nextHousekeeping = clock.instant().plus(HOUSEKEEPING_INTERVAL);
          }
          if (consumer.assignment().isEmpty()) {
            // The topic is not created yet: try again soon rather than after the housekeeping interval.
            nextHousekeeping = Instant.MIN;
            Thread.sleep(POLL_TIMEOUT.toMillis());
            continue;
          }
          consumer.poll(POLL_TIMEOUT).forEach(this::apply);
          if (loaded.getCount() > 0 && reached(loadEnd)) {
            loaded.countDown();
          }
        } catch (WakeupException e) {
          // stop() asked us to leave the loop.
        } catch (KafkaException e) {
          log.warn("Reading the ended-runs topic failed; trying again: {}", e.toString());
          nextHousekeeping = Instant.MIN;
          Thread.sleep(POLL_TIMEOUT.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("The ended-runs reader stopped", e);
    }
  }

  /** Assigns partitions not read yet, from their beginning; returns them. */
  private Set<TopicPartition> assignEveryPartition() {
    List<PartitionInfo> partitions = consumer().partitionsFor(topic, Duration.ofSeconds(5));
    Set<TopicPartition> all = new HashSet<>(consumer().assignment());
    Set<TopicPartition> added = new HashSet<>();
    if (partitions != null) {
      for (PartitionInfo info : partitions) {
        TopicPartition partition = new TopicPartition(info.topic(), info.partition());
        if (all.add(partition)) {
          added.add(partition);
        }
      }
    }
    if (!added.isEmpty()) {
      consumer().assign(all);
      consumer().seekToBeginning(added);
    }
    return added;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    if (consumer().assignment().isEmpty()) {
      return false;
    }
    for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      if (consumer().position(partition.getKey()) < partition.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      undecodable.incrementAndGet();
      return;
    }
    if (record.value() == null) {
      endedRuns.forget(new String(record.key(), StandardCharsets.UTF_8));
      return;
    }
    try {
      endedRuns.record(codec.decode(record.value()));
    } catch (UndecodableEventException e) {
      undecodable.incrementAndGet();
      log.warn("Skipped an undecodable ended-runs record at {}-{}@{}: {}",
          record.topic(), record.partition(), record.offset(), e.getMessage());
    }
  }
}
