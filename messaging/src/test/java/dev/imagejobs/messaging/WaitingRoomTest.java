package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class WaitingRoomTest {
  private static final TopicPartition P0 = new TopicPartition("lifecycle", 0);
  private static final TopicPartition P1 = new TopicPartition("lifecycle", 1);
  private static final Duration AGING_STEP = Duration.ofMinutes(1);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final WaitingRoom room = new WaitingRoom(3, AGING_STEP, now::get);
  private long offset;

  @Test
  void givenRecordsOfEveryLevel_thenTheFirstLevelStartsFirstAndEachLevelInPublishingOrder() {
    add(P0, "low-1", 2);
    add(P0, "normal-1", 1);
    add(P1, "high-1", 0);
    add(P0, "normal-2", 1);
    add(P1, "high-2", 0);

    assertThat(drain()).containsExactly("high-1", "high-2", "normal-1", "normal-2", "low-1");
    assertThat(room.isEmpty()).isTrue();
  }

  @Test
  void givenALowRecordWaitingTwoAgingSteps_thenItGoesBeforeHigherRecordsThatWaitedLess() {
    add(P0, "low-old", 2);
    now.addAndGet(AGING_STEP.toMillis());
    add(P0, "normal-newer", 1);
    add(P0, "high-newer", 0);

    // One step: the low record ranks as normal, behind the fresh high one, before the fresh normal one.
    assertThat(next()).isEqualTo("high-newer");
    add(P0, "high-newest", 0);
    now.addAndGet(AGING_STEP.toMillis());

    // Two steps: it ranks with high records and waited longest; the normal one, a step old, ranks
    // with the fresh high one too and was published before it.
    assertThat(drain()).containsExactly("low-old", "normal-newer", "high-newest");
  }

  @Test
  void givenAgingBelowTheFirstLevel_thenTheLevelStopsAtTheFirst() {
    add(P0, "low", 2);
    WaitingRoom.Waiting waiting = room.next().orElseThrow();

    assertThat(room.agedLevel(waiting, now.get() + 10 * AGING_STEP.toMillis())).isZero();
    assertThat(room.agedLevel(waiting, now.get() + AGING_STEP.toMillis() - 1)).isEqualTo(2);
  }

  @Test
  void givenTwoRecordsOfOneJob_thenTheLaterWaitsBehindTheEarlierWhateverItsLevel() {
    add(P0, "job-a", 2);
    add(P0, "job-b", 1);
    add(P0, "job-a", 0);

    assertThat(room.size()).isEqualTo(3);
    List<Long> offsets = new ArrayList<>();
    String first = next(offsets);
    assertThat(first).isEqualTo("job-b");
    assertThat(drain(offsets)).containsExactly("job-a", "job-a");
    assertThat(offsets.get(1)).isLessThan(offsets.get(2));
  }

  @Test
  void givenAHurriedJob_thenItsWaitingRecordGoesBeforeEveryOther() {
    add(P0, "high", 0);
    add(P1, "low-canceled", 2);

    room.hurry(record(P1, "low-canceled"));

    assertThat(drain()).containsExactly("low-canceled", "high");
  }

  @Test
  void givenAHurryForAJobThatIsNotWaiting_thenNothingChanges() {
    add(P0, "normal", 1);
    add(P0, "high", 0);

    room.hurry(record(P0, "elsewhere"));

    assertThat(drain()).containsExactly("high", "normal");
  }

  @Test
  void givenRevokedPartitions_thenTheirWaitingRecordsAreRemovedAndReturned() {
    add(P0, "a", 1);
    add(P1, "b", 1);
    add(P1, "b", 1);
    add(P1, "c", 0);

    List<WaitingRoom.Waiting> removed = room.removeAll(List.of(P1));

    assertThat(removed).hasSize(3).allMatch(waiting -> waiting.partition().equals(P1));
    assertThat(room.size()).isEqualTo(1);
    assertThat(drain()).containsExactly("a");
    add(P1, "b", 1);
    assertThat(drain()).containsExactly("b");
  }

  private void add(TopicPartition partition, String key, int level) {
    room.add(partition, record(partition, key), level);
  }

  private ConsumerRecord<byte[], byte[]> record(TopicPartition partition, String key) {
    return new ConsumerRecord<>(partition.topic(), partition.partition(), offset++, now.get(),
        TimestampType.CREATE_TIME, 0, 0, key.getBytes(StandardCharsets.UTF_8), new byte[0], new RecordHeaders(),
        Optional.empty());
  }

  private String next() {
    return next(new ArrayList<>());
  }

  private String next(List<Long> offsets) {
    ConsumerRecord<byte[], byte[]> record = room.next().orElseThrow().record();
    offsets.add(record.offset());
    return new String(record.key(), StandardCharsets.UTF_8);
  }

  private List<String> drain() {
    return drain(new ArrayList<>());
  }

  private List<String> drain(List<Long> offsets) {
    List<String> keys = new ArrayList<>();
    while (!room.isEmpty()) {
      keys.add(next(offsets));
    }
    assertThat(room.next()).isEmpty();
    return keys;
  }
}
