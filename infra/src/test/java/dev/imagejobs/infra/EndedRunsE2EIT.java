package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.awaitEnded;
import static dev.imagejobs.infra.TestStacks.job;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A backlog behind a generation that starts nothing for longer than the queued deadline (one job at
 * a time, each longer than the deadline): the watchdog fails the jobs that waited too long while no
 * job of their partition started, and generation never pays the provider for them
 * nor upload stores them. Then the whole lifecycle topic is replayed from offset 0 into itself, as a
 * replay or lost consumer offsets would deliver it: no provider call, no stored object, no status
 * changes.
 */
class EndedRunsE2EIT {
  private static final int JOBS = 8;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern ATTEMPTS =
      Pattern.compile("^imagejobs_provider_attempts_total\\{[^}]*provider=\"local\"[^}]*} ([0-9.]+)$", Pattern.MULTILINE);

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void givenABacklogStalledPastTheQueuedDeadline_thenEndedJobsAreNeitherGeneratedNorStoredNotEvenWhenReplayed()
      throws Exception {
    // One job at a time, six seconds each; a queued job is failed once it and its partition have
    // waited five seconds without a start: the first job of the backlog completes, the rest fail queued.
    StackSettings settings = TestStacks.settings(stateDir, Map.of(
        "IMAGEJOBS_PROVIDERS_LOCAL_LATENCY", "6s",
        "IMAGEJOBS_PROVIDERS_LOCAL_LONG_SIDE", "64",
        "IMAGEJOBS_GENERATION_MAX_IN_FLIGHT", "1",
        "IMAGEJOBS_WATCHDOG_QUEUED_DEADLINE", "5s",
        "IMAGEJOBS_WATCHDOG_INTERVAL", "250ms"));
    LOGS.watch(new StateDirectory(stateDir).logs());
    try (RunningStack stack = LocalStack.start(settings)) {
      String warmUp = submit(stack, assetKeyJob("warm-up", "A job before the backlog", "1:1"));
      assertThat(awaitEnded(stack, warmUp, JOB_TIMEOUT).path("status").asString()).isEqualTo("completed");

      List<String> backlog = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        backlog.add(submit(stack, assetKeyJob("backlog" + i, "Backlog job " + i, "1:1")));
      }
      Map<String, JsonNode> ended = new HashMap<>();
      for (String jobId : backlog) {
        ended.put(jobId, awaitEnded(stack, jobId, JOB_TIMEOUT));
      }

      Set<String> completed = withStatus(ended, "completed");
      Set<String> failedWhileQueued = ended.entrySet().stream()
          .filter(entry -> entry.getValue().path("status").asString().equals("failed")
              && entry.getValue().path("failureStage").asString().equals("queued")
              && entry.getValue().path("errorCode").asString().equals("DEADLINE_EXCEEDED"))
          .map(Map.Entry::getKey).collect(Collectors.toSet());
      assertThat(completed).as("the first jobs of the backlog are generated").isNotEmpty();
      assertThat(failedWhileQueued).as("the rest waited past the deadline: %s", ended).isNotEmpty();
      assertThat(completed.size() + failedWhileQueued.size()).as("every job %s", ended).isEqualTo(JOBS);

      // The provider was paid for the completed jobs only, and only their images are stored.
      int paid = 1 + completed.size();
      assertThat(providerAttempts(stack)).isEqualTo(paid);
      assertThat(storedImages(stack)).hasSize(paid)
          .allSatisfy(image -> assertThat(failedWhileQueued).noneMatch(image::contains));

      // The whole lifecycle topic delivered again, as a replay or lost offsets would.
      replayLifecycleTopic(stack);
      awaitCaughtUp(stack, "image-jobs-generation");
      awaitCaughtUp(stack, "image-jobs-upload");

      assertThat(providerAttempts(stack)).as("no run is generated twice").isEqualTo(paid);
      assertThat(storedImages(stack)).hasSize(paid);
      for (String jobId : backlog) {
        assertThat(job(stack, jobId).path("status").asString()).as(jobId)
            .isEqualTo(ended.get(jobId).path("status").asString());
      }
    }
  }

  private static Set<String> withStatus(Map<String, JsonNode> views, String status) {
    return views.entrySet().stream().filter(entry -> entry.getValue().path("status").asString().equals(status))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  /** Provider calls the generation service started, from its Prometheus scrape. */
  private static int providerAttempts(RunningStack stack) throws Exception {
    HttpResponse<String> scrape = TestStacks.get(stack.settings().generationPort(), "/actuator/prometheus", null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    Matcher attempts = ATTEMPTS.matcher(scrape.body());
    return attempts.find() ? (int) Double.parseDouble(attempts.group(1)) : 0;
  }

  /** Final images in the store (the staging area and its markers aside). */
  private static List<String> storedImages(RunningStack stack) throws IOException {
    Path storage = new StateDirectory(stack.stateDir()).storage();
    try (Stream<Path> files = Files.walk(storage)) {
      return files.filter(Files::isRegularFile)
          .map(path -> storage.relativize(path).toString())
          .filter(path -> !path.contains("staging") && path.endsWith(".png"))
          .toList();
    }
  }

  /** Writes every record of the lifecycle topic, from offset 0, into it again: key, value and headers. */
  private static void replayLifecycleTopic(RunningStack stack) {
    Map<String, Object> common = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    Map<String, Object> consumerConfig = new HashMap<>(common);
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.LIFECYCLE.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      int replayed = 0;
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(),
                record.headers()));
            replayed++;
          }
        }
      }
      producer.flush();
      assertThat(replayed).isGreaterThan(JOBS * 3);
    }
  }

  /** Waits until the group has committed up to the end of every lifecycle partition. */
  private static void awaitCaughtUp(RunningStack stack, String group) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      await(group + " caught up").atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
            .filter(partition -> partition.topic().equals(Topics.LIFECYCLE.name()))
            .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return !latest.isEmpty() && latest.keySet().stream()
            .allMatch(partition -> committed.get(partition).offset() >= ends.get(partition).offset());
      });
    }
  }
}
