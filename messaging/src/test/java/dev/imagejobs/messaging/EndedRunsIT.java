package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.messaging.EndedRuns.Verdict;
import dev.imagejobs.schemas.RunEndedCodec;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.TopicSettings;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.RunEnded;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * The ended-runs copy against a real broker: loaded before {@code start()} returns, following the
 * topic afterwards, later runs winning, tombstones and aborted transactions leaving no trace, and a
 * start that cannot read the topic failing instead of letting jobs run unchecked. Each test uses job
 * ids of its own.
 */
@EmbeddedKafka(count = 1, brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndedRunsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration HORIZON = Duration.ofDays(7);
  private static final RunEndedCodec CODEC = new RunEndedCodec();

  private EmbeddedKafkaBroker broker;
  private KafkaProducer<byte[], byte[]> producer;
  private EndedRuns endedRuns;
  private EndedRunsReader reader;

  @BeforeAll
  void createTopics(EmbeddedKafkaBroker broker) throws Exception {
    this.broker = broker;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
      admin.createTopics(Topics.newTopics(TopicSettings.local(), TopicNames.UNPREFIXED)).all().get();
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  void closeProducer() {
    producer.close();
  }

  @AfterEach
  void stop() {
    if (reader != null) {
      reader.stop();
    }
  }

  @Test
  void givenRunsEndedBeforeTheStart_whenStarted_thenEveryOneIsKnownAsSoonAsStartReturns() throws Exception {
    String completed = job();
    String retriedTwice = job();
    String untouched = job();
    publish(ended(completed, 0, "completed"));
    publish(ended(retriedTwice, 0, "failed"));
    publish(ended(retriedTwice, 2, "failed"));

    endedRuns = start(Duration.ofSeconds(30));

    Instant now = Instant.now();
    assertThat(endedRuns.verdict(completed, 0, now)).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict(completed, 1, now)).as("a retry after the end").isEqualTo(Verdict.RUNNABLE);
    assertThat(endedRuns.verdict(retriedTwice, 1, now)).as("an earlier run than the latest ended").isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict(retriedTwice, 2, now)).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict(retriedTwice, 3, now)).isEqualTo(Verdict.RUNNABLE);
    assertThat(endedRuns.verdict(untouched, 0, now)).isEqualTo(Verdict.RUNNABLE);
    assertThat(endedRuns.endedStatus(retriedTwice)).isEqualTo("failed (run 2, by watchdog)");
  }

  @Test
  void givenAStartedCopy_whenARunEnds_thenItIsKnownWithinAFetchAndAnOlderRecordDoesNotUndoIt() {
    endedRuns = start(Duration.ofSeconds(30));
    String jobId = job();
    assertThat(endedRuns.verdict(jobId, 1, Instant.now())).isEqualTo(Verdict.RUNNABLE);

    publish(ended(jobId, 1, "canceled"));
    publish(ended(jobId, 0, "failed")); // a replayed topology repeating an older end

    await().atMost(TIMEOUT).until(() -> endedRuns.verdict(jobId, 1, Instant.now()) == Verdict.ENDED);
    String another = job();
    publish(ended(another, 0, "completed"));
    await().atMost(TIMEOUT).until(() -> endedRuns.verdict(another, 0, Instant.now()) == Verdict.ENDED);
    assertThat(endedRuns.endedStatus(jobId)).startsWith("canceled (run 1");
  }

  @Test
  void givenATombstoneOrAnAbortedTransaction_thenNothingIsKept() throws Exception {
    String deleted = job();
    String aborted = job();
    publish(ended(deleted, 0, "completed"));
    publish(new ProducerRecord<>(Topics.ENDED_RUNS.name(), key(deleted), null));
    try (KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ended-runs-it-" + UUID.randomUUID()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      transactional.initTransactions();
      transactional.beginTransaction();
      transactional.send(ended(aborted, 0, "failed")).get();
      transactional.abortTransaction();
    }
    String marker = job();
    publish(ended(marker, 0, "completed"));

    endedRuns = start(Duration.ofSeconds(30));

    assertThat(endedRuns.verdict(marker, 0, Instant.now())).isEqualTo(Verdict.ENDED);
    assertThat(endedRuns.verdict(deleted, 0, Instant.now())).isEqualTo(Verdict.RUNNABLE);
    assertThat(endedRuns.verdict(aborted, 0, Instant.now())).isEqualTo(Verdict.RUNNABLE);
  }

  @Test
  void givenAnUndecodableRecord_thenItIsSkippedAndCountedAndTheNextOneIsRead() {
    String garbage = job();
    String after = job();
    publish(new ProducerRecord<>(Topics.ENDED_RUNS.name(), key(garbage), new byte[] {1, 2, 3}));
    publish(ended(after, 0, "completed"));

    endedRuns = start(Duration.ofSeconds(30));

    assertThat(endedRuns.verdict(after, 0, Instant.now())).isEqualTo(Verdict.ENDED);
    assertThat(reader.undecodable()).isPositive();
    assertThat(endedRuns.verdict(garbage, 0, Instant.now())).isEqualTo(Verdict.RUNNABLE);
  }

  @Test
  void givenNoReachableBroker_whenStarted_thenTheStartFailsAfterTheLoadTimeout() {
    EndedRunsReader unreachable = new EndedRunsReader(new DefaultKafkaConsumerFactory<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + FreePort.find())), Topics.ENDED_RUNS.name(),
        new EndedRuns(HORIZON, Clock.systemUTC()),
        Duration.ofSeconds(2), Clock.systemUTC());

    assertThatThrownBy(unreachable::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Topics.ENDED_RUNS.name()).hasMessageContaining("PT2S");
    assertThat(unreachable.isRunning()).isFalse();
  }

  private EndedRuns start(Duration loadTimeout) {
    EndedRuns copy = new EndedRuns(HORIZON, Clock.systemUTC());
    reader = new EndedRunsReader(new DefaultKafkaConsumerFactory<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString())), Topics.ENDED_RUNS.name(), copy, loadTimeout,
        Clock.systemUTC());
    reader.start();
    return copy;
  }

  /** Sends the record and waits for the broker's acknowledgement. */
  private void publish(ProducerRecord<byte[], byte[]> record) {
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ProducerRecord<byte[], byte[]> ended(String jobId, int run, String status) {
    RunEnded value = RunEnded.newBuilder().setJobId(jobId).setTenantId("tenant-a").setRun(run).setStatus(status)
        .setEndedBy("watchdog").setEndedAt(Instant.now()).build();
    return new ProducerRecord<>(Topics.ENDED_RUNS.name(), key(jobId), CODEC.encode(value));
  }

  private static byte[] key(String jobId) {
    return jobId.getBytes(StandardCharsets.UTF_8);
  }

  private static String job() {
    return "job-" + UUID.randomUUID();
  }

  /** A port nothing listens on. */
  private static final class FreePort {
    static int find() {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        return socket.getLocalPort();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
