package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.job;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.Topic;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.tokens.DevTokens;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole system as a user runs it: the launcher's processes, the HTTP API, the image on disk,
 * the lifecycle topic read by a consumer that knows nothing but the released {@code .avsc} files,
 * and a restart on the same state directory. The stack runs with a topic prefix, as an environment
 * sharing a cluster does: every topic, consumer group and the streams application are its own.
 */
class LocalStackE2EIT {

  private static final String FAIL_MARKER = "#fail";
  private static final Path DASHBOARD = Path.of(System.getProperty("imagejobs.grafana-dashboard"));
  private static final Path RELEASED_SCHEMAS = Path.of(System.getProperty("imagejobs.released-schemas"));
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);
  private static final byte[] SINGLE_OBJECT_MARKER = {(byte) 0xC3, (byte) 0x01};
  private static final int SINGLE_OBJECT_HEADER = 10;
  private static final TopicNames TOPICS = new TopicNames("e2e.");


  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void completesAJobFailsAMarkedOneRecordsReadableEventsAndKeepsStateAcrossARestart() throws Exception {
    StackSettings settings = TestStacks.settings(stateDir,
        Map.of("IMAGEJOBS_PROVIDERS_LOCAL_FAIL_MARKER", FAIL_MARKER, "IMAGEJOBS_TOPICS_PREFIX", TOPICS.prefix()));
    LOGS.watch(new StateDirectory(stateDir).logs());
    String completedJob;
    JsonNode completedView;
    List<String> completedJobEvents;

    try (RunningStack stack = LocalStack.start(settings); WebhookReceiver receiver = new WebhookReceiver()) {
      // Given an endpoint of the project for its jobs' endings, registered after a signed ping
      receiver.register(stack, "job.completed", "job.failed");

      // When one asset key is requested normally and one with the failure marker in its prompt
      completedJob = submit(stack, assetKeyJob("hero", "A lighthouse at dawn, watercolour", "16:9"));
      String failedJob = submit(stack, assetKeyJob("villain", "A storm over the cliffs " + FAIL_MARKER, "1:1"));

      // Then the first completes with its image stored and served
      completedView = awaitStatus(stack, completedJob, "completed");
      assertThat(completedView.path("attemptCount").asInt()).isGreaterThanOrEqualTo(1);
      for (String timestamp : List.of("createdAt", "startedAt", "completedAt")) {
        assertThat(Instant.parse(completedView.path(timestamp).asString())).as(timestamp).isNotNull();
      }
      JsonNode image = completedView.path("image");
      assertThat(image.path("url").asString()).isEqualTo("/api/v1/images/jobs/" + completedJob + "/image");
      byte[] png = getImage(stack, image.path("url").asString());
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(decoded).as("a PNG ImageIO can read").isNotNull();
      assertThat(decoded.getWidth()).isEqualTo(image.path("width").asInt());
      assertThat(decoded.getHeight()).isEqualTo(image.path("height").asInt());
      // Providers round sizes to what the model supports (e.g. 1344x768 for 16:9), hence the tolerance.
      assertThat((double) decoded.getWidth() / decoded.getHeight()).isCloseTo(16.0 / 9.0, within(0.05));
      assertThat(image.path("storagePath").asString())
          .isEqualTo("tenant_local/project_p1/branch_main/master-assets/hero_" + completedJob + ".png");
      Path stored = stateDir.resolve("storage").resolve("asset-images").resolve(image.path("storagePath").asString());
      assertThat(stored).exists();
      assertThat(Files.readAllBytes(stored)).isEqualTo(png);

      // And the marked one fails while generating
      JsonNode failedView = awaitStatus(stack, failedJob, "failed");
      assertThat(failedView.path("failureStage").asString()).isEqualTo("generating");

      // And every lifecycle record decodes with nothing but the released .avsc files
      Map<String, List<String>> eventsByJob = readLifecycleTopicWithReleasedSchemas(stack);
      completedJobEvents = eventsByJob.get(completedJob);
      assertThat(completedJobEvents)
          .startsWith("JobRequested")
          .containsSubsequence("JobRequested", "JobStarted", "GenerationStarted", "ImageGenerated", "UploadStarted",
              "JobCompleted")
          .endsWith("JobCompleted");
      assertThat(eventsByJob.get(failedJob)).startsWith("JobRequested", "JobStarted").endsWith("JobFailed");

      // And the streams service publishes exactly one public summary, for the completed job only
      List<ImageJobCompleted> summaries = awaitCompletedSummaries(stack, completedJob);
      assertThat(summaries).extracting(ImageJobCompleted::getJobId).containsOnlyOnce(completedJob)
          .doesNotContain(failedJob);
      ImageJobCompleted summary = summaries.stream().filter(s -> s.getJobId().equals(completedJob)).findFirst().get();
      assertThat(summary.getStoragePath()).isEqualTo(image.path("storagePath").asString());
      assertThat(summary.getSha256()).isEqualTo(image.path("sha256").asString());

      // And the webhook service posts both endings to the endpoint, signed with its secret
      await().atMost(JOB_TIMEOUT).until(() -> receiver.types().size() >= 3);
      assertThat(receiver.received()).allSatisfy(request -> assertThat(request.verified()).isTrue());
      assertThat(receiver.types()).containsExactlyInAnyOrder("webhook.ping", "job.completed", "job.failed");
      JsonNode completion = receiver.data("job.completed");
      assertThat(completion.path("jobId").asString()).isEqualTo(completedJob);
      assertThat(completion.path("image").asString()).isEqualTo(image.path("url").asString());
      assertThat(completion.path("sha256").asString()).isEqualTo(image.path("sha256").asString());
      assertThat(receiver.data("job.failed").path("jobId").asString()).isEqualTo(failedJob);

      // And every service answers its probes and serves Prometheus metrics, its Kafka clients' included
      assertOperational(stack);
    }

    // When the stack is started again on the same state directory (on other ports)
    try (RunningStack stack = LocalStack.start(settings)) {

      // Then the job, its image and its events are still there
      JsonNode again = job(stack, completedJob);
      assertThat(again.path("status").asString()).isEqualTo("completed");
      assertThat(again.path("image").path("sha256").asString()).isEqualTo(completedView.path("image").path("sha256").asString());
      assertThat(getImage(stack, again.path("image").path("url").asString())).isNotEmpty();
      assertThat(readLifecycleTopicWithReleasedSchemas(stack).get(completedJob)).isEqualTo(completedJobEvents);
      assertTheStacksKafkaNamesAreItsOwn(stack);
    }
    // The launcher wires the services with their settings' current names only.
    try (Stream<Path> logs = Files.list(new StateDirectory(stateDir).logs())) {
      assertThat(logs.toList()).isNotEmpty().allSatisfy(log -> assertThat(Files.readString(log)).doesNotContain("is renamed"));
    }
  }

  /** Every topic and consumer group of the stack carries its prefix; none of the catalogue's plain names exists. */
  private static void assertTheStacksKafkaNamesAreItsOwn(RunningStack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Set<String> topics = admin.listTopics().names().get();
      assertThat(topics).containsAll(Topics.all().stream().map(TOPICS::of).toList())
          .doesNotContainAnyElementsOf(Topics.all().stream().map(Topic::name).toList());
      assertThat(topics).filteredOn(topic -> topic.contains("image-jobs")).isNotEmpty()
          .allSatisfy(topic -> assertThat(topic).startsWith(TOPICS.prefix()));
      Set<String> groups = admin.listGroups().all().get().stream().map(GroupListing::groupId).collect(Collectors.toSet());
      assertThat(groups).contains("e2e.image-jobs-generation", "e2e.image-jobs-upload",
          "e2e.image-jobs-gateway-projection", "e2e.image-jobs-streams");
      assertThat(groups).allSatisfy(group -> assertThat(group).startsWith(TOPICS.prefix()));
    }
  }

  private static List<ImageJobCompleted> awaitCompletedSummaries(RunningStack stack, String jobId) {
    CompletedJobCodec codec = new CompletedJobCodec();
    return await("summary of " + jobId).atMost(Duration.ofSeconds(60)).until(
        () -> readAll(stack.bootstrapServers(), TOPICS.completed()).stream()
            .map(record -> codec.decode(record.value()))
            .toList(),
        summaries -> summaries.stream().anyMatch(summary -> summary.getJobId().equals(jobId)));
  }

  /** Polls the job view until {@code expected}; a different terminal status fails at once. */
  private static JsonNode awaitStatus(RunningStack stack, String jobId, String expected) {
    return await("job " + jobId + " " + expected)
        .atMost(JOB_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> {
          JsonNode view = job(stack, jobId);
          String status = view.path("status").asString();
          if (TestStacks.TERMINAL.contains(status) && !status.equals(expected)) {
            throw new AssertionError("Job " + jobId + " ended " + status + " instead of " + expected + ": " + view);
          }
          return view;
        }, view -> expected.equals(view.path("status").asString()));
  }

  private static byte[] getImage(RunningStack stack, String path) throws Exception {
    HttpResponse<byte[]> response = TestStacks.get(stack, path);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("image/png"));
    assertThat(response.headers().firstValue("ETag")).isPresent();
    return response.body();
  }

  /**
   * Reads the whole lifecycle topic as raw bytes and decodes every value the way any Avro
   * implementation can: the single-object header names the writer schema by its CRC-64-AVRO
   * fingerprint, looked up among the released {@code .avsc} files; Avro's generic reader does the rest.
   *
   * @return event names (writer schema names) per job id, in partition order
   */
  private static Map<String, List<String>> readLifecycleTopicWithReleasedSchemas(RunningStack stack) {
    Map<Long, Schema> released = releasedSchemasByFingerprint();
    Map<String, List<String>> eventsByJob = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(stack.bootstrapServers(), TOPICS.lifecycle())) {
      GenericRecord event = decode(record.value(), released);
      String key = new String(record.key(), StandardCharsets.UTF_8);
      GenericRecord metadata = (GenericRecord) event.get("metadata");
      assertThat(metadata.get("jobId").toString()).as("key of %s", event.getSchema().getName()).isEqualTo(key);
      eventsByJob.computeIfAbsent(key, job -> new ArrayList<>()).add(event.getSchema().getName());
    }
    return eventsByJob;
  }

  private static GenericRecord decode(byte[] value, Map<Long, Schema> released) {
    assertThat(value).as("single-object marker").startsWith(SINGLE_OBJECT_MARKER);
    long fingerprint = ByteBuffer.wrap(value, SINGLE_OBJECT_MARKER.length, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = released.get(fingerprint);
    assertThat(writer).as("released schema with fingerprint %016x", fingerprint).isNotNull();
    try {
      BinaryDecoder decoder = DecoderFactory.get()
          .binaryDecoder(value, SINGLE_OBJECT_HEADER, value.length - SINGLE_OBJECT_HEADER, null);
      GenericRecord event = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);
      assertThat(decoder.isEnd()).as("%s body fully consumed", writer.getName()).isTrue();
      return event;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot decode a " + writer.getName(), e);
    }
  }

  private static Map<Long, Schema> releasedSchemasByFingerprint() {
    Map<Long, Schema> schemas = new HashMap<>();
    try (Stream<Path> files = Files.walk(RELEASED_SCHEMAS)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".avsc")).toList()) {
        // One parser per file: each released file is self-contained and redefines the shared records.
        Schema schema = new Schema.Parser().parse(file.toFile());
        schemas.put(SchemaNormalization.parsingFingerprint64(schema), schema);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RELEASED_SCHEMAS, e);
    }
    assertThat(schemas).as("released schemas in %s", RELEASED_SCHEMAS).isNotEmpty();
    return schemas;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      // Polling is the wait here; the consumer stays on this thread.
      await("all of " + topic).atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= end.get(partition));
      });
      return records;
    }
  }

  /** Probes up, and /actuator/prometheus of each service with its name and its Kafka clients' metrics. */
  private static void assertOperational(RunningStack stack) throws Exception {
    StackSettings ports = stack.settings();
    Map<String, Integer> services = Map.of("gateway-service", ports.gatewayPort(),
        "generation-service", ports.generationPort(), "upload-service", ports.uploadPort(),
        "streams-service", ports.streamsPort(), "webhook-service", ports.webhooksPort());
    Map<String, String> kafkaMetric = Map.of("gateway-service", "kafka_consumer_fetch_manager",
        "generation-service", "kafka_consumer_fetch_manager", "upload-service", "kafka_consumer_fetch_manager",
        "streams-service", "kafka_stream_", "webhook-service", "kafka_consumer_fetch_manager");
    // The gateway's actuator is for operators; the others serve no tenant.
    String operator = DevTokens.mintOperator(DevTokens.LOCAL_SECRET, "ops", Duration.ofMinutes(5));
    StringBuilder everything = new StringBuilder();
    for (Map.Entry<String, Integer> service : services.entrySet()) {
      for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
        assertThat(TestStacks.get(service.getValue(), probe, null).statusCode()).as(service.getKey() + probe)
            .isEqualTo(200);
      }
      HttpResponse<String> scrape = TestStacks.get(service.getValue(), "/actuator/prometheus", operator);
      assertThat(scrape.statusCode()).as(service.getKey()).isEqualTo(200);
      assertThat(scrape.body()).as(service.getKey())
          .contains("application=\"" + service.getKey() + "\"")
          .contains(kafkaMetric.get(service.getKey()))
          .contains("jvm_memory_used_bytes");
      everything.append(scrape.body());
    }
    // Every metric the example Grafana dashboard plots is one the services export.
    Matcher names = Pattern.compile("\\b(?:http_server|imagejobs|kafka|jvm|process)_[a-z0-9_]+")
        .matcher(Files.readString(DASHBOARD));
    List<String> plotted = new ArrayList<>();
    while (names.find()) {
      plotted.add(names.group());
    }
    assertThat(plotted).isNotEmpty().allSatisfy(name -> assertThat(everything).as(name).contains(name + "{"));
    assertThat(TestStacks.get(ports.gatewayPort(), "/actuator/prometheus", null).statusCode()).isEqualTo(401);
  }
}
