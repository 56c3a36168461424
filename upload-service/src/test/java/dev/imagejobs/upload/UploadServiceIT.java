package dev.imagejobs.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.messaging.DeadLetterHeaders;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.VariantSelected;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The upload service against a real (embedded KRaft) broker and a filesystem store in a temporary
 * directory: the broker does not auto-create topics, so the service's own topic declarations are
 * exercised too.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
        "imagejobs.topics.partitions=3",
        "imagejobs.upload.storage-retry-delay=10ms",
        "imagejobs.upload.storage-retry-max-delay=20ms",
        "imagejobs.upload.redelivery-delay=200ms"})
@EmbeddedKafka(
    count = 1,
    bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadServiceIT {

  private static final Path STORAGE_DIR = temporaryDirectory();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** A CRC-64-AVRO fingerprint (little-endian) that no lifecycle schema has. */
  private static final byte[] UNKNOWN_FINGERPRINT = {0x5A, (byte) 0xA5, 0x13, 0x37, (byte) 0xC0, (byte) 0xFF, (byte) 0xEE, 0x42};

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) {
    registry.add("imagejobs.storage.dir", STORAGE_DIR::toString);
    registry.add("imagejobs.storage.bucket", () -> "asset-images");
  }

  @Autowired
  BlobStore store;

  @Autowired
  EmbeddedKafkaBroker broker;

  private final LifecycleCodec codec = new LifecycleCodec();
  private final List<ConsumerRecord<byte[], byte[]>> lifecycle = new ArrayList<>();
  private final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
  private KafkaProducer<String, SpecificRecord> events;
  private KafkaProducer<byte[], byte[]> raw;
  private KafkaConsumer<byte[], byte[]> observer;

  @BeforeAll
  void connect() {
    Map<String, Object> producer = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(), ProducerConfig.ACKS_CONFIG, "all");
    events = new KafkaProducer<>(producer, new StringSerializer(), new LifecycleEventSerializer());
    raw = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
    observer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(Topics.LIFECYCLE.name(), Topics.LIFECYCLE_DLQ.name())) {
      observer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
    }
    observer.assign(partitions);
    observer.seekToBeginning(partitions);
  }

  @AfterAll
  void disconnect() throws IOException {
    events.close();
    raw.close();
    observer.close();
    try (Stream<Path> files = Files.walk(STORAGE_DIR)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @Test
  void givenTheServiceStarted_thenItCreatedTheTopicsWithTheConfiguredSettings() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
      Map<String, TopicDescription> topics = admin.describeTopics(
          List.of(Topics.LIFECYCLE.name(), Topics.COMPLETED.name(), Topics.LIFECYCLE_DLQ.name())).allTopicNames().get();
      assertThat(topics.get(Topics.LIFECYCLE.name()).partitions()).hasSize(3);
      assertThat(topics.get(Topics.COMPLETED.name()).partitions()).hasSize(3);
      assertThat(topics.get(Topics.LIFECYCLE_DLQ.name()).partitions()).hasSize(1);
      ConfigResource lifecycleTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.LIFECYCLE.name());
      ConfigResource dlqTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.LIFECYCLE_DLQ.name());
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(lifecycleTopic, dlqTopic)).all().get();
      assertThat(configs.get(lifecycleTopic).get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("-1");
      assertThat(configs.get(dlqTopic).get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("2592000000");
    }
  }

  @Test
  void givenAStagedPng_whenImageGeneratedIsPublished_thenItIsStoredAtItsFinalPathAndTheJobCompletes() throws Exception {
    String jobId = newJobId();
    byte[] png = TestImages.png(160, 90);
    BlobPath staged = stage(jobId, png);

    publish(TestImages.anImageGenerated(jobId, staged.value(), png).build());

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).containsSubsequence(EventType.UPLOAD_STARTED, EventType.JOB_COMPLETED));
    JobCompleted completed = the(JobCompleted.class, jobId);
    String expectedPath = "tenant_tenant-a/project_p1/branch_main/master-assets/hero_" + jobId + ".png";
    Path file = STORAGE_DIR.resolve("asset-images").resolve(expectedPath);
    assertThat(completed.getStoragePath()).isEqualTo(expectedPath);
    assertThat(completed.getObjectUri()).isEqualTo(file.toRealPath().toUri().toString());
    assertThat(completed.getContentType()).isEqualTo("image/png");
    assertThat(completed.getSizeBytes()).isEqualTo(png.length);
    assertThat(completed.getWidth()).isEqualTo(160);
    assertThat(completed.getHeight()).isEqualTo(90);
    assertThat(completed.getSha256()).isEqualTo(TestImages.sha256(png));
    assertThat(Files.readAllBytes(file)).isEqualTo(png);
    assertThat(store.get(staged)).isEmpty();
    assertThat(typesOf(jobId)).doesNotContain(EventType.JOB_FAILED);
  }

  @Test
  void givenACorruptStagedArtifact_whenImageGeneratedIsPublished_thenTheJobFailsAtUploading() {
    String jobId = newJobId();
    byte[] corrupt = "PNG? no: a truncated download".getBytes(StandardCharsets.UTF_8);
    BlobPath staged = stage(jobId, corrupt);

    publish(TestImages.anImageGenerated(jobId, staged.value(), corrupt).build());

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).containsSubsequence(EventType.UPLOAD_STARTED, EventType.JOB_FAILED));
    JobFailed failed = the(JobFailed.class, jobId);
    assertThat(failed.getFailureStage()).isEqualTo("uploading");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getMessage()).contains("not a PNG, JPEG or WebP image");
    assertThat(STORAGE_DIR.resolve("asset-images/tenant_tenant-a/project_p1/branch_main/master-assets/hero_" + jobId + ".png"))
        .doesNotExist();
  }

  @Test
  void givenTheImageIsAlreadyStored_whenImageGeneratedIsRedelivered_thenNeitherDuplicatedNorOverwrittenAndCompleted()
      throws Exception {
    String jobId = newJobId();
    byte[] png = TestImages.png(160, 90);
    BlobPath staged = stage(jobId, png);
    BlobPath target = BlobPath.of("tenant_tenant-a", "project_p1", "branch_main", "master-assets", "hero_" + jobId + ".png");
    // A previous delivery stored the image and then crashed before announcing it.
    store.putIfAbsent(target, png, new BlobMetadata("image/png", null, Map.of("jobId", jobId)));
    Path file = STORAGE_DIR.resolve("asset-images").resolve(target.value());
    BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
    ImageGenerated event = TestImages.anImageGenerated(jobId, staged.value(), png).build();

    publish(event);
    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).containsOnlyOnce(EventType.JOB_COMPLETED));
    publish(event);

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).filteredOn(EventType.JOB_COMPLETED::equals).hasSize(2));
    assertThat(eventsOf(jobId)).filteredOn(e -> e.type() == EventType.JOB_COMPLETED)
        .extracting(LifecycleEvent::metadata).extracting(metadata -> metadata.getEventId()).containsOnly(
            the(JobCompleted.class, jobId).getMetadata().getEventId());
    assertThat(typesOf(jobId)).doesNotContain(EventType.JOB_FAILED);
    BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
    assertThat(after.fileKey()).isEqualTo(before.fileKey());
    assertThat(after.lastModifiedTime()).isEqualTo(before.lastModifiedTime());
    assertThat(Files.readAllBytes(file)).isEqualTo(png);
    try (Stream<Path> folder = Files.list(file.getParent())) {
      assertThat(folder.map(path -> path.getFileName().toString()).filter(name -> name.contains(jobId)))
          .containsExactlyInAnyOrder(file.getFileName().toString(), file.getFileName() + "~meta");
    }
    assertThat(store.get(staged)).isEmpty();
  }

  @Test
  void givenPoisonRecords_whenConsumed_thenEachIsDeadLetteredWithItsOriginAndTheNextImageIsStillUploaded()
      throws Exception {
    String jobId = newJobId();
    byte[] garbage = "\u0000\u0001 definitely not avro".getBytes(StandardCharsets.UTF_8);
    RecordMetadata typedGarbage = publishRaw(jobId, garbage, EventType.IMAGE_GENERATED);
    // Without ce_type the record cannot be routed cheaply, so it is decoded, and dead-lettered too.
    RecordMetadata untypedGarbage = publishRaw(jobId, garbage, null);
    // A well-formed single-object record (C3 01, fingerprint, body) whose writer schema no release has.
    byte[] png = TestImages.png(160, 90);
    byte[] unknownSchema = codec.encode(TestImages.anImageGenerated(jobId, "staging/" + jobId + "/x.png", png).build());
    assertThat(unknownSchema).startsWith((byte) 0xC3, (byte) 0x01);
    System.arraycopy(UNKNOWN_FINGERPRINT, 0, unknownSchema, 2, UNKNOWN_FINGERPRINT.length);
    RecordMetadata unknownFingerprint = publishRaw(jobId, unknownSchema, EventType.IMAGE_GENERATED);
    BlobPath staged = stage(jobId, png);

    publish(TestImages.anImageGenerated(jobId, staged.value(), png).build());

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deadLettersOf(jobId)).hasSize(3);
      assertThat(typesOf(jobId)).contains(EventType.JOB_COMPLETED);
    });
    List<ConsumerRecord<byte[], byte[]>> letters = deadLettersOf(jobId);
    assertDeadLettered(letters.get(0), typedGarbage, garbage, "UndecodableEventException: ");
    assertThat(header(letters.get(0), CloudEventHeaders.TYPE)).isEqualTo(EventType.IMAGE_GENERATED.ceType());
    assertDeadLettered(letters.get(1), untypedGarbage, garbage, "UndecodableEventException: ");
    assertDeadLettered(letters.get(2), unknownFingerprint, unknownSchema,
        "UndecodableEventException: Unknown writer schema fingerprint");
    assertThat(Stream.of(typedGarbage, untypedGarbage, unknownFingerprint).map(RecordMetadata::partition))
        .as("the image was uploaded from the partition of the poison records").containsOnly(partitionOf(jobId));
    assertThat(store.get(finalPath(jobId))).isPresent();
  }

  @Test
  void givenTheStoreCannotWriteForLongerThanEveryRetry_whenItRecovers_thenThePaidImageIsStoredNotFailed() throws Exception {
    String jobId = newJobId();
    byte[] png = TestImages.png(160, 90);
    BlobPath staged = stage(jobId, png);
    ImageGenerated generated = TestImages.anImageGenerated(jobId, staged.value(), png).build();
    generated.getSpec().setProjectId("outage");
    // A file where the project's folder must go: every write below it fails, as on a full or broken disk.
    Path blocker = STORAGE_DIR.resolve("asset-images/tenant_tenant-a/project_outage");
    Files.createDirectories(blocker.getParent());
    Files.write(blocker, new byte[] {0});

    publish(generated);

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).contains(EventType.UPLOAD_STARTED));
    // Far longer than the in-place retries and the two redeliveries other failures get.
    await().pollInSameThread().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(typesOf(jobId)).doesNotContain(EventType.JOB_FAILED, EventType.JOB_COMPLETED);
      assertThat(deadLettersOf(jobId)).isEmpty();
    });

    Files.delete(blocker);

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).contains(EventType.JOB_COMPLETED));
    assertThat(typesOf(jobId)).doesNotContain(EventType.JOB_FAILED);
    assertThat(Files.readAllBytes(STORAGE_DIR.resolve("asset-images")
        .resolve("tenant_tenant-a/project_outage/branch_main/master-assets/hero_" + jobId + ".png"))).isEqualTo(png);
    assertThat(deadLettersOf(jobId)).isEmpty();
  }

  @Test
  void givenACancelRequest_whenTheImageIsGeneratedAfterwards_thenTheJobIsCanceledAndNothingIsStored() {
    String jobId = newJobId();
    byte[] png = TestImages.png(160, 90);
    BlobPath staged = stage(jobId, png);

    publish(JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata(jobId, "gateway", 0)).setReason("requested through the API").build());
    publish(TestImages.anImageGenerated(jobId, staged.value(), png).build());

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).contains(EventType.JOB_CANCELED));
    assertThat(typesOf(jobId)).containsExactly(
        EventType.JOB_CANCEL_REQUESTED, EventType.IMAGE_GENERATED, EventType.JOB_CANCELED);
    JobCanceled canceled = the(JobCanceled.class, jobId);
    assertThat(canceled.getStage()).isEqualTo("generated");
    assertThat(canceled.getMetadata().getProducer()).isEqualTo("upload");
    assertThat(store.get(finalPath(jobId))).isEmpty();
    assertThat(store.get(staged)).isEmpty();
  }

  @Test
  void givenAProjectIdThatEscapesItsFolder_whenImageGeneratedIsPublished_thenTheJobFailsAndNothingIsWritten()
      throws IOException {
    String jobId = newJobId();
    byte[] png = TestImages.png(160, 90);
    BlobPath staged = stage(jobId, png);
    ImageGenerated event = TestImages.anImageGenerated(jobId, staged.value(), png).build();
    event.getSpec().setProjectId("../x");

    publish(event);

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).contains(EventType.JOB_FAILED));
    JobFailed failed = the(JobFailed.class, jobId);
    assertThat(failed.getFailureStage()).isEqualTo("uploading");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getMessage()).isEqualTo("No storage path for this job: projectId '../x' is not a safe path segment");
    try (Stream<Path> files = Files.walk(STORAGE_DIR)) {
      assertThat(files.filter(Files::isRegularFile).map(Path::toString).filter(name -> name.contains(jobId)))
          .as("only the staged copy and its metadata")
          .allSatisfy(name -> assertThat(name).contains("/staging/" + jobId + "/attempt-1.png"));
    }
    assertThat(STORAGE_DIR.resolve("x")).doesNotExist();
  }

  @Test
  void givenAJobOfThreeVariants_whenItsImagesAndThenSelectionsArrive_thenEveryVariantIsStoredAndTheLastValidChoiceIsTheJobsImage()
      throws Exception {
    String jobId = newJobId();
    byte[] first = TestImages.png(160, 90);
    byte[] third = TestImages.png(320, 180);
    BlobPath staged1 = BlobPath.of("staging", jobId, "attempt-1-v1.png");
    BlobPath staged3 = BlobPath.of("staging", jobId, "attempt-1-v3.png");
    store.putIfAbsent(staged1, first, new BlobMetadata("image/png", null, Map.of("jobId", jobId)));
    store.putIfAbsent(staged3, third, new BlobMetadata("image/png", null, Map.of("jobId", jobId)));

    publish(TestImages.anImageGeneratedOfVariants(jobId, List.of(
        TestImages.aGeneratedVariant(1, staged1.value(), first, 160, 90, 39_000),
        TestImages.aFailedVariant(2, 0),
        TestImages.aGeneratedVariant(3, staged3.value(), third, 320, 180, 39_000))).build());

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(typesOf(jobId)).contains(EventType.JOB_COMPLETED));
    JobCompleted completed = the(JobCompleted.class, jobId);
    assertThat(completed.getStoragePath()).isEqualTo(finalPath(jobId).value());
    assertThat(completed.getSha256()).isEqualTo(TestImages.sha256(first));
    assertThat(completed.getVariants()).extracting(ImageVariant::getVariant, ImageVariant::getPath, ImageVariant::getErrorClass)
        .containsExactly(
            tuple(1, variantPath(jobId, 1).value(), null),
            tuple(2, null, "PERMANENT"),
            tuple(3, variantPath(jobId, 3).value(), null));
    assertThat(store.get(variantPath(jobId, 1)).orElseThrow().content()).isEqualTo(first);
    assertThat(store.get(variantPath(jobId, 3)).orElseThrow().content()).isEqualTo(third);
    assertThat(store.get(finalPath(jobId)).orElseThrow().content()).isEqualTo(first);
    assertThat(store.get(staged1)).isEmpty();
    assertThat(store.get(staged3)).isEmpty();

    ImageVariant chosen = completed.getVariants().get(2);
    publish(aSelection(jobId, completed, chosen, chosen.getSha256()));
    publish(aSelection(jobId, completed, completed.getVariants().get(0), chosen.getSha256()));

    await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() -> assertThat(deadLettersOf(jobId)).hasSize(1));
    assertThat(header(deadLettersOf(jobId).get(0), DeadLetterHeaders.REASON))
        .startsWith(UnprocessableRecordException.class.getSimpleName() + ": The image stored at " + variantPath(jobId, 1));
    assertThat(store.get(finalPath(jobId)).orElseThrow()).satisfies(image -> {
      assertThat(image.content()).as("the selection of variant 3; the refused one changed nothing").isEqualTo(third);
      assertThat(image.metadata().custom()).containsEntry("variant", "3");
    });
    assertThat(typesOf(jobId)).containsExactly(EventType.IMAGE_GENERATED, EventType.UPLOAD_STARTED,
        EventType.JOB_COMPLETED, EventType.VARIANT_SELECTED, EventType.VARIANT_SELECTED);
  }

  private static VariantSelected aSelection(String jobId, JobCompleted completed, ImageVariant variant, String sha256) {
    return VariantSelected.newBuilder()
        .setMetadata(Events.metadata(jobId, "gateway", 0))
        .setVariant(variant.getVariant())
        .setStoragePath(variant.getPath())
        .setJobStoragePath(completed.getStoragePath())
        .setContentType(variant.getContentType())
        .setSizeBytes(variant.getSizeBytes())
        .setSha256(sha256)
        .setWidth(variant.getWidth())
        .setHeight(variant.getHeight())
        .build();
  }

  private static BlobPath variantPath(String jobId, int variant) {
    return BlobPath.of("tenant_tenant-a", "project_p1", "branch_main", "master-assets",
        "hero_" + jobId + "_v" + variant + ".png");
  }

  private BlobPath stage(String jobId, byte[] content) {
    BlobPath staged = BlobPath.of("staging", jobId, "attempt-1.png");
    store.putIfAbsent(staged, content, new BlobMetadata("image/png", null, Map.of("jobId", jobId)));
    return staged;
  }

  private void publish(SpecificRecord event) {
    try {
      events.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), LifecycleEvent.of(event).jobId(), event)).get();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot publish the test event", e);
    }
  }

  /** Publishes raw bytes keyed by the job id, so they share its partition, with {@code ce_type} if given. */
  private RecordMetadata publishRaw(String jobId, byte[] value, EventType type) throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(Topics.LIFECYCLE.name(), jobId.getBytes(StandardCharsets.UTF_8), value);
    if (type != null) {
      record.headers().add(CloudEventHeaders.TYPE, type.ceType().getBytes(StandardCharsets.UTF_8));
    }
    return raw.send(record).get();
  }

  private int partitionOf(String jobId) {
    return lifecycle.stream().filter(record -> jobId.equals(key(record))).findFirst().orElseThrow().partition();
  }

  private static void assertDeadLettered(
      ConsumerRecord<byte[], byte[]> letter, RecordMetadata poison, byte[] value, String reason) {
    assertThat(letter.value()).isEqualTo(value);
    assertThat(header(letter, DeadLetterHeaders.REASON)).startsWith(reason);
    assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.LIFECYCLE.name());
    assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo(Integer.toString(poison.partition()));
    assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo(Long.toString(poison.offset()));
    assertThat(header(letter, DeadLetterHeaders.CONSUMER_GROUP)).isEqualTo("image-jobs-upload");
  }

  private static BlobPath finalPath(String jobId) {
    return BlobPath.of("tenant_tenant-a", "project_p1", "branch_main", "master-assets", "hero_" + jobId + ".png");
  }

  private void poll() {
    for (ConsumerRecord<byte[], byte[]> record : observer.poll(Duration.ofMillis(200))) {
      (record.topic().equals(Topics.LIFECYCLE.name()) ? lifecycle : deadLetters).add(record);
    }
  }

  private List<LifecycleEvent> eventsOf(String jobId) {
    poll();
    List<LifecycleEvent> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : lifecycle) {
      if (jobId.equals(key(record))) {
        try {
          events.add(codec.decode(record.value()));
        } catch (UndecodableEventException poison) {
          // The poison records some tests publish on purpose.
        }
      }
    }
    return events;
  }

  private List<EventType> typesOf(String jobId) {
    return eventsOf(jobId).stream().map(LifecycleEvent::type).toList();
  }

  private <T extends SpecificRecord> T the(Class<T> type, String jobId) {
    return eventsOf(jobId).stream()
        .filter(event -> type.isInstance(event.payload()))
        .map(event -> event.payload(type))
        .findFirst()
        .orElseThrow();
  }

  private List<ConsumerRecord<byte[], byte[]>> deadLettersOf(String jobId) {
    poll();
    return deadLetters.stream().filter(record -> jobId.equals(key(record))).toList();
  }

  private static String key(ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return CloudEventHeaders.value(record.headers(), name).orElse(null);
  }

  private static String newJobId() {
    return UUID.randomUUID().toString();
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("upload-service-it");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
