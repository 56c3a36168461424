package dev.imagejobs.messaging;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The offsets of one partition whose records are in flight, which may finish in any order. Kafka
 * keeps one committed offset per partition, so only the offset below the oldest unfinished record
 * may be committed: a crash then redelivers every record that had not finished, and nothing else.
 * Not thread-safe: used by the consumer thread only.
 */
final class PartitionProgress {
  private final TreeSet<Long> unfinished = new TreeSet<>();
  private long highestStarted = -1;
  private long committed = -1;
  private long released = Long.MAX_VALUE;

  void started(long offset) {
    unfinished.add(offset);
    highestStarted = Math.max(highestStarted, offset);
  }

  void finished(long offset) {
    unfinished.remove(offset);
  }

  /**
   * Gives up a record that was taken but never started (it waited, and the partition is revoked or the
   * consumer stops): it no longer counts in flight, and no offset beyond it is committed.
   */
  void released(long offset) {
    unfinished.remove(offset);
    released = Math.min(released, offset);
  }

  int inFlight() {
    return unfinished.size();
  }

  /**
   * The offset to commit now (the next record to read after a restart), if it moved since the last
   * call to {@link #committed(long)}.
   */
  OptionalLong toCommit() {
    long next = Math.min(unfinished.isEmpty() ? highestStarted + 1 : unfinished.first(), released);
    return next > committed && next > 0 ? OptionalLong.of(next) : OptionalLong.empty();
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }
}
