package dev.imagejobs.generation.jobs;

import dev.imagejobs.schemas.Topics;
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
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Reads the lifecycle topic and keeps up to {@code max-in-flight} jobs running at once, whatever the
 * partition count: a record is handed to the {@link JobDispatcher} as soon as a slot is free, and the
 * consumer thread goes straight back to polling instead of waiting for providers or retry delays.
 *
 * <p>Jobs finish in any order, so each partition commits only the offset below its oldest
 * unfinished record ({@link PartitionProgress}), and only once that record's outcome event was
 * acknowledged by the broker: a crash redelivers exactly the unfinished jobs. At capacity the
 * partitions are paused, and records fetched beyond the free slots are sought back and read again
 * later. When partitions are revoked, their running jobs get a grace period to finish so another
 * instance does not pay for the same image a second time.
 */
final class JobConsumer implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final ConsumerFactory<byte[], byte[]> consumers;
  private final JobDispatcher dispatcher;
  private final int maxInFlight;
  private final Duration drainTimeout;
  private final AtomicInteger inFlight;
  private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
  private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();

  private volatile boolean running;
  private volatile Consumer<byte[], byte[]> consumer;
  private Thread thread;

  /**
   * @param inFlight updated with the number of jobs running, for the jobs-in-flight gauge
   * @param drainTimeout how long revoked partitions and a shutdown wait for running jobs
   */
  JobConsumer(ConsumerFactory<byte[], byte[]> consumers, JobDispatcher dispatcher, int maxInFlight,
      Duration drainTimeout, AtomicInteger inFlight) {
    this.consumers = consumers;
    this.dispatcher = dispatcher;
    this.maxInFlight = maxInFlight;
    this.drainTimeout = drainTimeout;
    this.inFlight = inFlight;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxInFlight));
    overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = consumers.createConsumer(null, "generation", null, overrides);
    running = true;
    thread = new Thread(this::consume, "generation-consumer");
    thread.start();
  }

  @Override
  public void stop() {
    Thread consuming;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      consuming = thread;
    }
    consumer.wakeup();
    try {
      consuming.join(drainTimeout.plusSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void consume() {
    try {
      consumer.subscribe(List.of(Topics.LIFECYCLE.name()), new Rebalance());
      while (running) {
        settleFinished();
        commit(false);
        pauseAtCapacity();
        try {
          take(consumer.poll(POLL_TIMEOUT));
        } catch (WakeupException e) {
          // stop() asked us to leave the loop.
        }
      }
      drain(progress.keySet());
      commit(true);
    } catch (RuntimeException e) {
      log.error("The generation consumer stopped; unfinished jobs are redelivered on restart", e);
    } finally {
      consumer.close();
      running = false;
    }
  }

  /** Starts a job per record while slots are free; the rest of a partition is sought back. */
  private void take(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (inFlight.get() >= maxInFlight) {
          consumer.seek(partition, record.offset());
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
      outcome = dispatcher.dispatch(record);
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

  /** Applies the jobs that finished since the last loop. */
  private void settleFinished() {
    for (Finished job = finished.poll(); job != null; job = finished.poll()) {
      settle(job);
    }
  }

  private void settle(Finished job) {
    inFlight.decrementAndGet();
    if (job.failure() != null) {
      // Only a shutdown abandons a job this way: leaving it unfinished keeps its offset uncommitted.
      log.warn("Record {}@{} was not finished and will be delivered again: {}",
          job.partition(), job.offset(), job.failure().toString());
      return;
    }
    PartitionProgress partition = progress.get(job.partition());
    if (partition != null) {
      partition.finished(job.offset());
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
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(offsets, (committed, failure) -> {
        if (failure != null) {
          // A later commit covers these offsets; a crash before it only redelivers finished jobs.
          log.warn("Offset commit failed: {}", failure.toString());
        }
      });
    }
  }

  private void pauseAtCapacity() {
    if (inFlight.get() >= maxInFlight) {
      consumer.pause(consumer.assignment());
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  /** Waits up to the drain timeout for the running jobs of {@code partitions}, settling them. */
  private void drain(Collection<TopicPartition> partitions) {
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    while (inFlightOf(partitions) > 0) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        log.warn("{} jobs of {} still running after {}: they will be delivered again",
            inFlightOf(partitions), partitions, drainTimeout);
        return;
      }
      try {
        Finished job = finished.poll(remaining, TimeUnit.NANOSECONDS);
        if (job != null) {
          settle(job);
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
