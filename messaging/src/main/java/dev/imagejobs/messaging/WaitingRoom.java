package dev.imagejobs.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Records read ahead of the free slots of an {@link InFlightConsumer}, waiting to be started, best
 * first. A record ranks by its level (0 first), raised one level for every {@code agingStep} since
 * it was published (its record timestamp), so a record of the last level ranks with the first after
 * {@code (levels - 1) × agingStep} and is then started before every record that has waited less:
 * no level waits forever. Among records of the same rank the one published first goes first.
 *
 * <p>A key's records keep their order: a record whose key already has one waiting is held behind it
 * and ranked only when that one starts. A hurried key's waiting record goes before all others. Not
 * thread-safe: used by the consumer thread only.
 */
final class WaitingRoom {
  private static final Comparator<Waiting> PUBLISHED_FIRST =
      Comparator.comparingLong(Waiting::publishedAt).thenComparingLong(Waiting::sequence);

  private final long agingStepMillis;
  private final LongSupplier clockMillis;
  /** Index 0 holds hurried records; index l + 1 records of level l. */
  private final List<PriorityQueue<Waiting>> queues;
  /** Records of keys that already have one ranked, in topic order, per key. */
  private final Map<Key, Deque<Waiting>> behind = new HashMap<>();
  private final Map<Key, Waiting> rankedOfKey = new HashMap<>();
  private long sequence;
  private int size;

  WaitingRoom(int levels, Duration agingStep, LongSupplier clockMillis) {
    if (levels < 1) {
      throw new IllegalArgumentException("levels must be at least 1");
    }
    if (agingStep.isNegative() || agingStep.isZero()) {
      throw new IllegalArgumentException("agingStep must be positive");
    }
    this.agingStepMillis = agingStep.toMillis();
    this.clockMillis = clockMillis;
    this.queues = new ArrayList<>(levels + 1);
    for (int i = 0; i <= levels; i++) {
      queues.add(new PriorityQueue<>(PUBLISHED_FIRST));
    }
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Adds a record to wait at {@code level}; levels beyond the last count as the last. */
  void add(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, int level) {
    int clamped = Math.min(Math.max(level, 0), queues.size() - 2);
    Waiting waiting = new Waiting(partition, record, clamped, record.timestamp(), sequence++, Key.of(record));
    size++;
    if (waiting.key() != null && rankedOfKey.containsKey(waiting.key())) {
      behind.computeIfAbsent(waiting.key(), key -> new ArrayDeque<>()).addLast(waiting);
      return;
    }
    rank(waiting, clamped + 1);
  }

  /** The waiting record of {@code record}'s key, if any, goes before every other. */
  void hurry(ConsumerRecord<byte[], byte[]> record) {
    Key key = Key.of(record);
    Waiting ranked = key == null ? null : rankedOfKey.get(key);
    if (ranked != null && queues.get(ranked.level() + 1).remove(ranked)) {
      queues.get(0).add(ranked);
    }
  }

  /** Takes the best record: the hurried first, then the lowest aged level, then the first published. */
  Optional<Waiting> next() {
    if (size == 0) {
      return Optional.empty();
    }
    PriorityQueue<Waiting> best = queues.get(0).isEmpty() ? null : queues.get(0);
    if (best == null) {
      long now = clockMillis.getAsLong();
      int bestRank = Integer.MAX_VALUE;
      for (int i = 1; i < queues.size(); i++) {
        Waiting head = queues.get(i).peek();
        if (head == null) {
          continue;
        }
        int rank = agedLevel(head, now);
        if (rank < bestRank || (rank == bestRank && best != null && PUBLISHED_FIRST.compare(head, best.peek()) < 0)) {
          best = queues.get(i);
          bestRank = rank;
        }
      }
    }
    Waiting taken = best.poll();
    size--;
    rankedOfKey.remove(taken.key());
    Deque<Waiting> following = taken.key() == null ? null : behind.get(taken.key());
    if (following != null) {
      Waiting next = following.pollFirst();
      if (following.isEmpty()) {
        behind.remove(taken.key());
      }
      rank(next, next.level() + 1);
    }
    return Optional.of(taken);
  }

  /** Removes and returns the waiting records of {@code partitions} (revoked, or the consumer stops). */
  List<Waiting> removeAll(Collection<TopicPartition> partitions) {
    List<Waiting> removed = new ArrayList<>();
    for (PriorityQueue<Waiting> queue : queues) {
      queue.removeIf(waiting -> partitions.contains(waiting.partition()) && removed.add(waiting));
    }
    behind.values().forEach(queue -> queue.removeIf(waiting -> partitions.contains(waiting.partition()) && removed.add(waiting)));
    behind.values().removeIf(Deque::isEmpty);
    rankedOfKey.values().removeIf(waiting -> partitions.contains(waiting.partition()));
    size -= removed.size();
    return removed;
  }

  /** The record's level after aging: its own, less one per whole aging step since it was published. */
  int agedLevel(Waiting waiting, long nowMillis) {
    long steps = Math.max(0, nowMillis - waiting.publishedAt()) / agingStepMillis;
    return (int) Math.max(0, waiting.level() - steps);
  }

  private void rank(Waiting waiting, int queue) {
    queues.get(queue).add(waiting);
    if (waiting.key() != null) {
      rankedOfKey.put(waiting.key(), waiting);
    }
  }

  /** A record waiting for a slot. */
  record Waiting(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, int level, long publishedAt,
      long sequence, Key key) {}

  /** A record key compared by content; records without a key are never held behind others. */
  record Key(TopicPartition partition, byte[] bytes) {
    static Key of(ConsumerRecord<byte[], byte[]> record) {
      return record.key() == null ? null : new Key(new TopicPartition(record.topic(), record.partition()), record.key());
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && partition.equals(key.partition) && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * partition.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return partition + "/" + new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
