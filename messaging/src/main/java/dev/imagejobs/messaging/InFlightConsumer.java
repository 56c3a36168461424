package dev.imagejobs.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Reads the lifecycle topic and keeps up to {@code maxInFlight} records in hand at once, whatever
 * the partition count: a record is handed to the {@link RecordHandler} as soon as a slot is free,
 * and the consumer thread goes straight back to polling instead of waiting for the work.
 *
 * <p>Records finish in any order, so each partition commits only the offset below its oldest
 * unfinished record ({@link PartitionProgress}), and only once the handler reported that record done
 * (for the services: its outcome event acknowledged): a crash redelivers exactly the unfinished
 * records. At capacity the partitions are paused, and records fetched beyond the free slots are
 * sought back and read again later. When partitions are revoked, their running records get
 * {@code drainTimeout} to finish, so that another instance does not do the same work again; what
 * finished is committed on revocation and on shutdown.
 *
 * <p>The generation and the upload service each run one, with their own handler (a
 * {@link LifecycleDispatcher}). {@code GenerationServiceIT}, {@code GenerationCrashIT} and
 * {@code InFlightConsumerIT} show the guarantees against a real broker.
 */
public final class InFlightConsumer extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(InFlightConsumer.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final String name;
  private final RecordHandler handler;
  private final int maxInFlight;
  private final Duration drainTimeout;
  private final AtomicInteger inFlight;
  private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
  private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
  private final String topic;


  /**
   * @param consumers the service's consumer factory (group id, bootstrap servers); records are read
   *     as raw bytes whatever deserializers it names, so they can be routed on their headers and
   *     dead-lettered byte for byte
   * @param topic the topic subscribed to: the lifecycle topic's name in this deployment
   * @param name names the consumer's thread ({@code name-consumer}) and client id
   * @param maxInFlight records handled at once
   * @param drainTimeout how long revoked partitions and a shutdown wait for running records
   * @param inFlight updated with the number of records in hand, for a gauge
   */
  public InFlightConsumer(ConsumerFactory<?, ?> consumers, String topic, String name, RecordHandler handler,
      int maxInFlight, Duration drainTimeout, AtomicInteger inFlight) {
    super(consumers, name);
    this.topic = topic;
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.name = name;
    this.handler = handler;
    this.maxInFlight = maxInFlight;
    this.drainTimeout = drainTimeout;
    this.inFlight = inFlight;
  }

  /** Records in hand now: started and not yet finished. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  protected Properties overrides() {
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxInFlight));
    // Offsets are committed below the oldest unfinished record, never by the client; aborted
    // transactions (the watchdog's) are never seen; a new group starts at the topic's beginning.
    overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return overrides;
  }

  @Override
  protected Duration stopTimeout() {
    return drainTimeout.plusSeconds(10);
  }

  @Override
  protected void loop() {
    Consumer<byte[], byte[]> consumer = consumer();
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (isRunning()) {
        settleFinished();
        commit(false);
        try {
          if (inFlight.get() >= maxInFlight) {
            // Paused partitions fetch nothing; the poll keeps the group informed (rebalances), and the
            // thread then waits for a slot instead of sleeping out a poll timeout.
            consumer.pause(consumer.assignment());
            take(consumer.poll(Duration.ZERO));
            awaitFinished(POLL_TIMEOUT);
          } else {
            if (!consumer.paused().isEmpty()) {
              consumer.resume(consumer.paused());
            }
            take(consumer.poll(POLL_TIMEOUT));
          }
        } catch (WakeupException e) {
          // stop() asked us to leave the loop.
        }
      }
      drain(progress.keySet());
      commit(true);
    } catch (RuntimeException e) {
      log.error("The {} consumer stopped; unfinished records are delivered again on restart", name, e);
    }
  }

  /** Starts work per record while slots are free; the rest of a partition is sought back. */
  private void take(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (inFlight.get() >= maxInFlight) {
          consumer().seek(partition, record.offset());
          break;
        }
        start(partition, record);
      }
    }
  }

  private void start(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    progress.computeIfAbsent(partition, key -> new PartitionProgress()).started(record.offset());
    inFlight.incrementAndGet();
    CompletableFuture<Void> outcome;
    try {
      outcome = handler.handle(record);
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    if (outcome.isDone() && !outcome.isCompletedExceptionally()) {
      // Skipped event types and the like: free the slot now rather than on the next loop.
      settle(new Finished(partition, record.offset(), null));
      return;
    }
    outcome.whenComplete((done, failure) -> finished.add(new Finished(partition, record.offset(), failure)));
  }

  /** Applies the records that finished since the last loop. */
  private void settleFinished() {
    for (Finished done = finished.poll(); done != null; done = finished.poll()) {
      settle(done);
    }
  }

  private void settle(Finished record) {
    inFlight.decrementAndGet();
    if (record.failure() != null) {
      // Only a shutdown abandons work this way: leaving it unfinished keeps its offset uncommitted.
      log.warn("Record {}@{} was not finished and will be delivered again: {}",
          record.partition(), record.offset(), record.failure().toString());
      return;
    }
    PartitionProgress partition = progress.get(record.partition());
    if (partition != null) {
      partition.finished(record.offset());
    }
  }

  private void commit(boolean synchronously) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    progress.forEach((partition, state) -> {
      OptionalLong next = state.toCommit();
      if (next.isPresent()) {
        offsets.put(partition, new OffsetAndMetadata(next.getAsLong()));
        state.committed(next.getAsLong());
      }
    });
    if (offsets.isEmpty()) {
      return;
    }
    if (synchronously) {
      consumer().commitSync(offsets);
    } else {
      consumer().commitAsync(offsets, (committed, failure) -> {
        if (failure != null) {
          // A later commit covers these offsets; a crash before it only redelivers finished records.
          log.warn("Offset commit failed: {}", failure.toString());
        }
      });
    }
  }

  /** Waits up to {@code timeout} for a record to finish, and settles it. */
  private void awaitFinished(Duration timeout) {
    try {
      Finished done = finished.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (done != null) {
        settle(done);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      endLoop();
    }
  }

  /** Waits up to the drain timeout for the running records of {@code partitions}, settling them. */
  private void drain(Collection<TopicPartition> partitions) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (inFlightOf(partitions) > 0) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        log.warn("{} records of {} still running after {}: they will be delivered again",
            inFlightOf(partitions), partitions, drainTimeout);
        return;
      }
      try {
        Finished done = finished.poll(remaining, TimeUnit.NANOSECONDS);
        if (done != null) {
          settle(done);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private int inFlightOf(Collection<TopicPartition> partitions) {
    int count = 0;
    for (TopicPartition partition : partitions) {
      PartitionProgress state = progress.get(partition);
      count += state == null ? 0 : state.inFlight();
    }
    return count;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drain(partitions);
      settleFinished();
      try {
        commit(true);
      } catch (KafkaException e) {
        // The group moved on already; the new owner starts from the last commit and redelivers the rest.
        log.warn("Offsets of revoked partitions {} could not be committed: {}", partitions, e.toString());
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another member owns them already: nothing can be committed for them any more.
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Progress starts with the first record taken from each partition.
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : new ArrayList<>(partitions)) {
        progress.remove(partition);
      }
    }
  }

  private record Finished(TopicPartition partition, long offset, Throwable failure) {}
}
