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
 * <p>With a {@link ReadAhead}, the consumer also reads up to {@code capacity} records beyond the free
 * slots into a {@link WaitingRoom} and, whenever a slot is free, starts the best ranked of them
 * (the generation service starts higher-priority jobs first this way). Waiting records count as
 * unfinished, so no offset beyond them is committed; each is handed to the handler at most once per
 * assignment, and records still waiting when their partition is revoked are given up without being
 * started, for the next owner to read from the committed offset. Records the ranking places
 * {@linkplain RecordRanking.Placement#atOnce() at once} never wait and hold no slot for long.
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
  private final ReadAhead readAhead;
  private final WaitingRoom room;
  private final AtomicInteger waiting = new AtomicInteger();

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
    this(consumers, topic, name, handler, maxInFlight, drainTimeout, inFlight, ReadAhead.NONE);
  }

  /**
   * As above, reading ahead of the free slots and starting the best ranked record first.
   *
   * @param readAhead how many records may wait, and how they rank
   */
  public InFlightConsumer(ConsumerFactory<?, ?> consumers, String topic, String name, RecordHandler handler,
      int maxInFlight, Duration drainTimeout, AtomicInteger inFlight, ReadAhead readAhead) {
    super(consumers, name);
    this.readAhead = readAhead;
    this.room = new WaitingRoom(readAhead.levels(), readAhead.agingStep(), System::currentTimeMillis);
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

  /** Records read ahead and waiting for a slot now. */
  public int waiting() {
    return waiting.get();
  }

  @Override
  protected Properties overrides() {
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.max(maxInFlight, Math.min(readAhead.capacity(), 500))));
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
        startWaiting();
        commit(false);
        try {
          if (inFlight.get() >= maxInFlight && room.size() >= readAhead.capacity()) {
            // Paused partitions fetch nothing; the poll keeps the group informed (rebalances), and the
            // thread then waits for a slot instead of sleeping out a poll timeout.
            consumer.pause(consumer.assignment());
            take(consumer.poll(Duration.ZERO));
            awaitFinished(POLL_TIMEOUT);
          } else {
            if (!consumer.paused().isEmpty()) {
              consumer.resume(consumer.paused());
            }
            if (inFlight.get() >= maxInFlight) {
              // Slots full, room to read ahead: read what arrived, then wait for a slot.
              take(consumer.poll(Duration.ZERO));
              awaitFinished(POLL_TIMEOUT);
            } else {
              take(consumer.poll(POLL_TIMEOUT));
            }
          }
        } catch (WakeupException e) {
          // stop() asked us to leave the loop.
        }
      }
      release(progress.keySet());
      drain(progress.keySet());
      commit(true);
    } catch (RuntimeException e) {
      log.error("The {} consumer stopped; unfinished records are delivered again on restart", name, e);
    }
  }

  /**
   * Places each record: started at once, or waiting in the room while it has space (free slots
   * count as space); the rest of a partition is sought back. Then starts the best while slots are free.
   */
  private void take(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (room.size() >= readAhead.capacity() + Math.max(0, maxInFlight - inFlight.get())) {
          consumer().seek(partition, record.offset());
          break;
        }
        progress.computeIfAbsent(partition, key -> new PartitionProgress()).started(record.offset());
        RecordRanking.Placement placement = place(record);
        if (placement.atOnceOnly()) {
          if (placement.hurriesItsJob()) {
            room.hurry(record);
          }
          start(partition, record);
        } else {
          room.add(partition, record, placement.level());
        }
      }
    }
    startWaiting();
  }

  private RecordRanking.Placement place(ConsumerRecord<byte[], byte[]> record) {
    try {
      return readAhead.ranking().place(record);
    } catch (RuntimeException e) {
      // The handler decides what to do with a record the ranking cannot read (dead-letter it, say).
      return RecordRanking.Placement.atOnce();
    }
  }

  /** Starts waiting records, best first, while slots are free. */
  private void startWaiting() {
    while (inFlight.get() < maxInFlight && !room.isEmpty()) {
      WaitingRoom.Waiting next = room.next().orElseThrow();
      start(next.partition(), next.record());
    }
    waiting.set(room.size());
  }

  private void start(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
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

  /** Gives up the waiting records of {@code partitions}: never started, they are read again from the committed offset. */
  private void release(Collection<TopicPartition> partitions) {
    for (WaitingRoom.Waiting given : room.removeAll(partitions)) {
      PartitionProgress state = progress.get(given.partition());
      if (state != null) {
        state.released(given.record().offset());
      }
    }
    waiting.set(room.size());
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
      release(partitions);
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
      release(partitions);
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

  /**
   * How far an {@link InFlightConsumer} reads ahead of its free slots, and how waiting records rank.
   *
   * @param capacity records that may wait beyond the free slots; 0 reads only what the slots take
   * @param levels how many levels {@code ranking} uses (0 to levels - 1)
   * @param agingStep how long a waiting record takes to rise one level
   * @param ranking places each record
   */
  public record ReadAhead(int capacity, int levels, Duration agingStep, RecordRanking ranking) {
    /** No reading ahead: records are started in the order they are read, as slots free up. */
    public static final ReadAhead NONE = new ReadAhead(0, 1, Duration.ofMinutes(1), RecordRanking.IN_ORDER);

    public ReadAhead {
      if (capacity < 0 || levels < 1 || agingStep == null || agingStep.isNegative() || agingStep.isZero()) {
        throw new IllegalArgumentException("read-ahead capacity must be >= 0, levels >= 1, aging step positive");
      }
    }
  }
}
