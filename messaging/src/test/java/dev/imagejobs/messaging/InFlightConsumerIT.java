package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.TopicSettings;
import dev.imagejobs.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The in-flight window against a real broker, on a lifecycle topic of one partition: more records in
 * hand than partitions, none beyond the limit, offsets committed only below the oldest unfinished
 * record, and what was not finished delivered again after a stop. Each test reads the topic with a
 * group of its own and works only on the records it published (keyed with its own prefix); records
 * of other tests are done with at once.
 */
@EmbeddedKafka(count = 1, brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InFlightConsumerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TopicPartition PARTITION = new TopicPartition(Topics.LIFECYCLE.name(), 0);

  private EmbeddedKafkaBroker broker;
  private KafkaProducer<byte[], byte[]> producer;
  private Admin admin;
  private final List<ConsumerRecord<byte[], byte[]>> started = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> work = new CopyOnWriteArrayList<>();
  private InFlightConsumer consumer;
  private String prefix;
  private String group;
  private volatile boolean finishEachRecordAsItStarts;
  private final ExecutorService finisher = Executors.newSingleThreadExecutor();

  @BeforeAll
  void createTopics(EmbeddedKafkaBroker broker) throws Exception {
    this.broker = broker;
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()));
    List<NewTopic> topics = Topics.newTopics(new TopicSettings(1, 1, (short) 1, 1, -1, -1, -1, TopicSettings.DEFAULT_ENDED_RUNS_RETENTION_MS), TopicNames.UNPREFIXED);
    admin.createTopics(topics).all().get();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void close() {
    finisher.shutdownNow();
    producer.close();
    admin.close();
  }

  @AfterEach
  void stopConsumer() {
    work.forEach(future -> future.complete(null));
    if (consumer != null) {
      consumer.stop();
    }
    group = null;
    finishEachRecordAsItStarts = false;
    started.clear();
    work.clear();
  }

  @Test
  void givenMoreRecordsThanSlots_whenConsumed_thenSlotsFillBeyondThePartitionCountButNeverBeyondTheLimit() {
    start(3, Duration.ofSeconds(5));

    publish(10);

    await().atMost(TIMEOUT).until(() -> started.size() == 3);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> started.size() == 3);
    assertThat(consumer.inFlight()).isEqualTo(3);
    work.get(1).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 4);
    long first = started.get(0).offset();
    assertThat(offsetsOf(started)).containsExactly(first, first + 1, first + 2, first + 3);
  }

  @Test
  void givenAFullWindow_whenARecordFinishes_thenTheNextOneStartsAtOnceRatherThanAfterAPollTimeout() {
    int records = 60;
    start(1, Duration.ofSeconds(5));
    publish(1);
    await().atMost(TIMEOUT).until(() -> started.size() == 1);
    finishEachRecordAsItStarts = true;
    work.get(0).complete(null);

    long begun = System.nanoTime();
    publish(records - 1);

    // Waiting out the 100 ms poll timeout for every freed slot would take six seconds.
    await().atMost(Duration.ofSeconds(4)).until(() -> started.size() == records);
    assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void givenRecordsFinishingOutOfOrder_whenCommitted_thenOnlyTheOffsetBelowTheOldestUnfinishedIsCommitted() {
    start(10, Duration.ofSeconds(5));
    publish(3);
    await().atMost(TIMEOUT).until(() -> started.size() == 3);
    long first = started.get(0).offset();

    work.get(2).complete(null);
    work.get(1).complete(null);

    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
        .until(() -> committed().orElse(first) == first);
    work.get(0).complete(null);
    await().atMost(TIMEOUT).until(() -> committed().orElse(-1L) == first + 3);
  }

  @Test
  void givenUnfinishedRecords_whenTheConsumerStopsAndAnotherStarts_thenDeliveryResumesAtTheOldestUnfinished() {
    start(10, Duration.ofMillis(200));
    publish(4);
    await().atMost(TIMEOUT).until(() -> started.size() == 4);
    List<Long> offsets = offsetsOf(started);
    work.get(0).complete(null);
    work.get(2).complete(null);

    consumer.stop();
    started.clear();
    work.clear();
    start(10, Duration.ofSeconds(5));

    await().atMost(TIMEOUT).until(() -> started.size() == 3);
    assertThat(offsetsOf(started)).containsExactly(offsets.get(1), offsets.get(2), offsets.get(3));
  }

  @Test
  void givenABacklogReadAhead_whenAHigherRankedRecordArrives_thenItStartsAtTheNextFreeSlotAndNoOffsetPassesTheWaiting() {
    startReadingAhead(1, 100);
    for (int i = 0; i < 10; i++) {
      publish("normal-" + i, NORMAL);
    }
    await().atMost(TIMEOUT).until(() -> started.size() == 1 && consumer.waiting() == 9);
    long first = started.get(0).offset();

    publish("high", HIGH);
    await().atMost(TIMEOUT).until(() -> consumer.waiting() == 10);
    work.get(0).complete(null);

    await().atMost(TIMEOUT).until(() -> started.size() == 2);
    assertThat(keyOf(started.get(1))).isEqualTo(prefix + "high");
    work.get(1).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 3);
    assertThat(keyOf(started.get(2))).isEqualTo(prefix + "normal-1");
    // The first record and the high one are done; the second is still waiting.
    await().atMost(TIMEOUT).until(() -> committed().orElse(-1L) == first + 1);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .until(() -> committed().orElse(-1L) == first + 1);
  }

  @Test
  void givenACancelOfAWaitingJob_whenItArrives_thenItIsHandledAtOnceAndTheJobGoesNext() {
    startReadingAhead(1, 100);
    publish("a", NORMAL);
    publish("b", NORMAL);
    publish("c", LOW);
    await().atMost(TIMEOUT).until(() -> started.size() == 1 && consumer.waiting() == 2);

    publish("c", HURRY);

    await().atMost(TIMEOUT).until(() -> started.size() == 2);
    assertThat(started.get(1).value()).containsExactly(HURRY);
    work.get(0).complete(null);
    work.get(1).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 3);
    assertThat(keyOf(started.get(2))).isEqualTo(prefix + "c");
    assertThat(started.get(2).value()).containsExactly(LOW);
  }

  @Test
  void givenAFullWaitingRoom_thenNothingMoreIsReadUntilARecordStarts() {
    startReadingAhead(1, 3);
    for (int i = 0; i < 10; i++) {
      publish("normal-" + i, NORMAL);
    }

    await().atMost(TIMEOUT).until(() -> started.size() == 1 && consumer.waiting() == 3);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> consumer.waiting() == 3);
    work.get(0).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 2 && consumer.waiting() == 3);
  }

  @Test
  void givenWaitingRecords_whenTheConsumerStopsAndAnotherStarts_thenTheyAreDeliveredOnceFromTheOldestWaiting()
      throws Exception {
    startReadingAhead(1, 100);
    for (int i = 0; i < 4; i++) {
      publish("normal-" + i, NORMAL);
    }
    await().atMost(TIMEOUT).until(() -> started.size() == 1 && consumer.waiting() == 3);
    long first = started.get(0).offset();
    work.get(0).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 2);
    long second = started.get(1).offset();
    work.get(1).complete(null);
    await().atMost(TIMEOUT).until(() -> started.size() == 3);

    consumer.stop();
    assertThat(committed()).hasValue(started.get(2).offset());
    started.clear();
    work.clear();
    finishEachRecordAsItStarts = true;
    startReadingAhead(1, 100);

    await().atMost(TIMEOUT).until(() -> started.size() == 2);
    assertThat(offsetsOf(started)).containsExactly(second + 1, second + 2).doesNotContain(first, second);
  }

  @Test
  void givenWaitingRecords_whenTheirPartitionIsRevoked_thenTheyAreGivenUpUnstartedAndEachRecordRunsOnce() {
    startReadingAhead(1, 100);
    for (int i = 0; i < 4; i++) {
      publish("normal-" + i, NORMAL);
    }
    await().atMost(TIMEOUT).until(() -> started.size() == 1 && consumer.waiting() == 3);
    long first = started.get(0).offset();
    InFlightConsumer revoked = consumer;
    try {
      // A second member joins: the first one's partition is revoked while its first record runs.
      startReadingAhead(1, 100);
      await().atMost(TIMEOUT).until(() -> revoked.waiting() == 0);
      finishEachRecordAsItStarts = true;
      work.get(0).complete(null);

      await().atMost(TIMEOUT).until(() -> started.size() >= 4);
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> started.size() == 4);
      assertThat(offsetsOf(started)).containsExactlyInAnyOrder(first, first + 1, first + 2, first + 3);
    } finally {
      revoked.stop();
    }
  }

  private static final byte HIGH = 0;
  private static final byte NORMAL = 1;
  private static final byte LOW = 2;
  private static final byte HURRY = 9;

  /** Reads ahead; this test's records rank by their value's first byte (9: at once, hurrying its key). */
  private void startReadingAhead(int maxInFlight, int capacity) {
    start(maxInFlight, Duration.ofSeconds(5), new InFlightConsumer.ReadAhead(capacity, 3, Duration.ofHours(1), record -> {
      if (!keyOf(record).startsWith(prefix)) {
        return RecordRanking.Placement.atOnce();
      }
      byte rank = record.value()[0];
      return rank == HURRY ? RecordRanking.Placement.atOnceHurryingItsJob() : RecordRanking.Placement.waits(rank);
    }));
  }

  private void start(int maxInFlight, Duration drainTimeout) {
    start(maxInFlight, drainTimeout, InFlightConsumer.ReadAhead.NONE);
  }

  /** A consumer of a new group that holds every record of this test until the test completes it. */
  private void start(int maxInFlight, Duration drainTimeout, InFlightConsumer.ReadAhead readAhead) {
    if (group == null) {
      group = "in-flight-" + UUID.randomUUID();
      prefix = UUID.randomUUID() + "-";
    }
    DefaultKafkaConsumerFactory<byte[], byte[]> consumers = new DefaultKafkaConsumerFactory<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    consumer = new InFlightConsumer(consumers, Topics.LIFECYCLE.name(), "test", record -> {
      if (!keyOf(record).startsWith(prefix)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> held = new CompletableFuture<>();
      started.add(record);
      work.add(held);
      if (finishEachRecordAsItStarts) {
        // Finished a moment later on another thread, as real work is, while the consumer waits for a slot.
        CompletableFuture.runAsync(() -> held.complete(null),
            CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS, finisher));
      }
      return held;
    }, maxInFlight, drainTimeout, new AtomicInteger(), readAhead);
    consumer.start();
  }

  private void publish(int records) {
    for (int i = 0; i < records; i++) {
      byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), 0, key, new byte[] {(byte) i}));
    }
    producer.flush();
  }

  private void publish(String key, byte value) {
    producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), 0, (prefix + key).getBytes(StandardCharsets.UTF_8),
        new byte[] {value}));
    producer.flush();
  }

  private static String keyOf(ConsumerRecord<byte[], byte[]> record) {
    return new String(record.key(), StandardCharsets.UTF_8);
  }

  private Optional<Long> committed() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return Optional.ofNullable(offsets.get(PARTITION)).map(OffsetAndMetadata::offset);
  }

  private static List<Long> offsetsOf(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::offset).toList();
  }
}
