package dev.imagejobs.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Says how an {@link InFlightConsumer} takes each record: at once, or after waiting for a slot in
 * its {@link WaitingRoom}, ranked by level. Called on the consumer's thread; must be quick.
 */
@FunctionalInterface
public interface RecordRanking {

  /** Every record waits at level 0, so records are started in the order they are read. */
  RecordRanking IN_ORDER = record -> Placement.waits(0);

  Placement place(ConsumerRecord<byte[], byte[]> record);

  /**
   * Where a record goes.
   *
   * @param level the rank of a record that waits for a slot: 0 first; -1 for records handled at once
   * @param hurriesItsJob whether the waiting records of the same key (job) start before any other, as a
   *     cancel request needs: the run that sees it ends at once instead of at its turn
   */
  record Placement(int level, boolean hurriesItsJob) {
    private static final Placement AT_ONCE = new Placement(-1, false);
    private static final Placement HURRYING = new Placement(-1, true);

    public Placement {
      if (level < -1) {
        throw new IllegalArgumentException("level must be -1 (at once) or at least 0");
      }
    }

    /** Handled at once, beside the records that hold slots (skipped types, cancel requests, dead letters). */
    public static Placement atOnce() {
      return AT_ONCE;
    }

    /** Handled at once, and the waiting records of its key are started first. */
    public static Placement atOnceHurryingItsJob() {
      return HURRYING;
    }

    /** Waits for a slot at {@code level} (0 first). */
    public static Placement waits(int level) {
      return new Placement(level, false);
    }

    boolean atOnceOnly() {
      return level < 0;
    }
  }
}
