package dev.imagejobs.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service against a real KRaft broker with exactly-once transactions: topics created at start,
 * lifecycle folded into one summary per completed job, poison records dead-lettered.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // One partition: the test relies on the total order of the records it publishes.
    properties = "imagejobs.topics.partitions=1")
@EmbeddedKafka(
    bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = {
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "auto.create.topics.enable=false"
    })
class StreamsServiceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final CompletedJobCodec COMPLETED = new CompletedJobCodec();

  @Autowired
  EmbeddedKafkaBroker broker;

  @LocalServerPort
  int port;

  @DynamicPropertySource
  static void stateDirectory(DynamicPropertyRegistry registry) {
    registry.add("imagejobs.streams.state-dir", () -> {
      try {
        return Files.createTempDirectory("streams-service-it").toString();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void publishesExactlyOneSummaryPerCompletedJob() {
    // Given a running service
    awaitHealthy();
    String jobId = "job-" + UUID.randomUUID();
    String markerJobId = "job-" + UUID.randomUUID();
    List<SpecificRecord> lifecycle = lifecycle(jobId);
    JobCompleted completed = (JobCompleted) lifecycle.get(lifecycle.size() - 1);

    // When a job's whole lifecycle is published, its JobCompleted again, then another job's lifecycle
    try (KafkaProducer<String, SpecificRecord> producer = lifecycleProducer()) {
      lifecycle.forEach(event -> send(producer, jobId, event));
      send(producer, jobId, completed);
      lifecycle(markerJobId).forEach(event -> send(producer, markerJobId, event));
    }

    // Then, once the later job is summarised, the first has exactly one summary with every field filled
    List<ConsumerRecord<String, byte[]>> summaries = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer(Topics.COMPLETED.name(), new StringDeserializer())) {
      await().atMost(TIMEOUT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(summaries::add);
        return summaries.stream().anyMatch(record -> record.key().equals(markerJobId));
      });
    }
    List<ConsumerRecord<String, byte[]>> ofJob = summaries.stream().filter(r -> r.key().equals(jobId)).toList();
    assertThat(ofJob).hasSize(1);
    ImageJobCompleted summary = COMPLETED.decode(ofJob.get(0).value());
    for (Schema.Field field : ImageJobCompleted.getClassSchema().getFields()) {
      assertThat(summary.get(field.pos())).as(field.name()).isNotNull();
    }
    assertThat(summary.getJobId()).isEqualTo(jobId);
    assertThat(summary.getCompletedEventId()).isEqualTo(completed.getMetadata().getEventId());
    assertThat(summary.getStoragePath()).isEqualTo(completed.getStoragePath());
    assertThat(summary.getAttempts()).isEqualTo(1);
    assertThat(CloudEventHeaders.value(ofJob.get(0).headers(), CloudEventHeaders.TYPE))
        .contains("dev.imagejobs.completed.ImageJobCompleted");
  }

  @Test
  void deadLettersPoisonRecordsOnTheLiveTopicAndKeepsProcessing() {
    // Given a running service
    awaitHealthy();
    String jobId = "job-" + UUID.randomUUID();
    byte[] garbage = "not an event".getBytes(StandardCharsets.UTF_8);
    byte[] unknownSchema = new LifecycleCodec().encode(lifecycle("job-unknown").get(0));
    ByteBuffer.wrap(unknownSchema, 2, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0bad_5eed_0bad_5eedL);

    // When garbage and a record of an unknown schema reach the lifecycle topic, then a good lifecycle
    try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
      raw.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), null, bytes("job-garbage"), garbage,
          new RecordHeaders().add("origin", bytes("test")))).get();
      raw.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), bytes("job-unknown"), unknownSchema)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    try (KafkaProducer<String, SpecificRecord> producer = lifecycleProducer()) {
      lifecycle(jobId).forEach(event -> send(producer, jobId, event));
    }

    // Then both poison records are on the dead-letter topic with their origin and reason
    List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(Topics.LIFECYCLE_DLQ.name(), new ByteArrayDeserializer())) {
      await().atMost(TIMEOUT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(letters::add);
        return letters.stream().filter(this::fromThisTest).count() >= 2;
      });
    }
    List<ConsumerRecord<byte[], byte[]>> ours = letters.stream().filter(this::fromThisTest).toList();
    assertThat(ours).extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
        .containsExactly("job-garbage", "job-unknown");
    assertThat(ours.get(0).value()).isEqualTo(garbage);
    assertThat(header(ours.get(0), "origin")).isEqualTo("test");
    assertThat(header(ours.get(0), "dlq_reason")).contains("UndecodableEventException");
    assertThat(header(ours.get(0), "dlq_source_topic")).isEqualTo(Topics.LIFECYCLE.name());
    assertThat(header(ours.get(0), "dlq_source_partition")).isEqualTo("0");
    assertThat(header(ours.get(0), "dlq_source_offset")).matches("\\d+");
    assertThat(header(ours.get(0), "dlq_consumer_group")).isEqualTo("image-jobs-streams");
    assertThat(ours.get(1).value()).isEqualTo(unknownSchema);
    assertThat(header(ours.get(1), "dlq_reason")).contains("Unknown writer schema fingerprint");

    // And the good job behind them is still summarised
    try (KafkaConsumer<String, byte[]> consumer = consumer(Topics.COMPLETED.name(), new StringDeserializer())) {
      List<String> keys = new ArrayList<>();
      await().atMost(TIMEOUT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> keys.add(record.key()));
        return keys.contains(jobId);
      });
    }
  }

  private boolean fromThisTest(ConsumerRecord<byte[], byte[]> record) {
    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    return key.equals("job-garbage") || key.equals("job-unknown");
  }

  private void awaitHealthy() {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build();
    await().atMost(TIMEOUT).until(() -> {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("\"UP\"");
    });
  }

  /** A START_FRAME job from request to completion in one provider attempt, every optional field set. */
  private static List<SpecificRecord> lifecycle(String jobId) {
    String trace = Traceparent.newRoot();
    Instant requestedAt = Instant.parse("2026-11-24T10:15:30.123Z");
    // An edit of a start frame, so every field of the summary has a value.
    JobSpec spec = Events.anAssetKeySpec()
        .setJobType(JobType.EDIT)
        .setEdit(ImageEdit.newBuilder().setSource(ReferenceImage.newBuilder().setSource("job").setId("frame-1")
            .setStoragePath("tenant_tenant-a/project_p1/branch_main/scene_scene-1/shot_shot-1/start_frame_frame-1.png")
            .setContentType("image/png").setSizeBytes(10).setWidth(16).setHeight(9).setSha256("cd".repeat(32))
            .build()).build())
        .setSceneId("scene-1")
        .setShotId("shot-1")
        .setStyleCapsuleId("noir")
        .setEstimatedCostMicros(39_000)
        .setBatchId("batch-" + jobId)
        .build();
    return List.of(
        JobRequested.newBuilder().setMetadata(metadata(jobId, "gateway", 0, requestedAt, trace)).setSpec(spec).build(),
        JobStarted.newBuilder().setMetadata(metadata(jobId, "generation", 0, requestedAt.plusSeconds(1), trace)).build(),
        GenerationStarted.newBuilder()
            .setMetadata(metadata(jobId, "generation", 1, requestedAt.plusSeconds(2), trace))
            .setProvider("local").setModel("local-v1").build(),
        ImageGenerated.newBuilder()
            .setMetadata(metadata(jobId, "generation", 1, requestedAt.plusSeconds(3), trace))
            .setSpec(spec).setStagedRef("staging/" + jobId + "/attempt-1.png").setContentType("image/png")
            .setSizeBytes(2048).setSha256("cd".repeat(32)).setWidth(1024).setHeight(576)
            .setProvider("local").setModel("local-v1").setActualCostMicros(12).build(),
        UploadStarted.newBuilder().setMetadata(metadata(jobId, "upload", 0, requestedAt.plusSeconds(4), trace)).build(),
        JobCompleted.newBuilder()
            .setMetadata(metadata(jobId, "upload", 0, requestedAt.plusSeconds(5), trace))
            .setStoragePath("project_p1/branch_main/scene_scene-1/shot_shot-1/start_frame_" + jobId + ".png")
            .setObjectUri("file:///tmp/asset-images/project_p1/branch_main/scene_scene-1/shot_shot-1/start_frame_"
                + jobId + ".png")
            .setContentType("image/png").setSizeBytes(2048).setWidth(1024).setHeight(576)
            .setSha256("cd".repeat(32)).build());
  }

  private static EventMetadata metadata(String jobId, String producer, int attempt, Instant at, String trace) {
    return EventMetadata.newBuilder(Events.metadata(jobId, producer, attempt))
        .setOccurredAt(at)
        .setTraceparent(Traceparent.childOf(trace))
        .build();
  }

  private static void send(KafkaProducer<String, SpecificRecord> producer, String jobId, SpecificRecord event) {
    try {
      producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), jobId, event)).get();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot publish " + event.getClass().getSimpleName(), e);
    }
  }

  private KafkaProducer<String, SpecificRecord> lifecycleProducer() {
    return new KafkaProducer<>(producerConfig(), new StringSerializer(), new LifecycleEventSerializer());
  }

  private KafkaProducer<byte[], byte[]> rawProducer() {
    return new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private Map<String, Object> producerConfig() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
  }

  private <K> KafkaConsumer<K, byte[]> consumer(String topic, Deserializer<K> keys) {
    KafkaConsumer<K, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        keys, new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    return CloudEventHeaders.value(record.headers(), name).orElse(null);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
