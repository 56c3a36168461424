package dev.imagejobs.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.generation.testing.ReferenceImages;
import dev.imagejobs.generation.testing.SlowProvider;
import dev.imagejobs.messaging.DeadLetterHeaders;
import dev.imagejobs.messaging.testing.LifecycleTopicProbe;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobPriority;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The generation service against a real (embedded KRaft) broker that does not auto-create topics,
 * with the local provider and a filesystem staging store in a temporary directory.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"imagejobs.topics.partitions=2", "imagejobs.providers.local.fail-marker=#fail",
        "imagejobs.providers.local.long-side=256"})
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationServiceIT {
  private static final Logger log = LoggerFactory.getLogger(GenerationServiceIT.class);
  private static final String COUNTING = "counting";
  private static final String SLOW = "slow";
  private static final String SLOWER = "slower";
  private static Path storage;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) throws Exception {
    storage = Files.createTempDirectory("generation-it");
    registry.add("imagejobs.storage.dir", storage::toString);
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class TestProviders {
    /** The local provider under another name, counting its calls: jobs choose it by JobSpec.provider. */
    @Bean
    CountingProvider countingProvider(LocalImageProvider local) {
      return new CountingProvider(COUNTING, local);
    }

    /** The local provider taking a second per image, like a fast real one. */
    @Bean
    SlowProvider slowProvider(LocalImageProvider local) {
      return new SlowProvider(SLOW, local, Duration.ofSeconds(1));
    }

    /** Three seconds per image: a backlog stays while a test publishes. */
    @Bean
    SlowProvider slowerProvider(LocalImageProvider local) {
      return new SlowProvider(SLOWER, local, Duration.ofSeconds(3));
    }
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired BlobStore store;
  @Autowired LocalImageProvider local;
  @Autowired CountingProvider counting;
  @Autowired @Qualifier("slowProvider") SlowProvider slow;
  @LocalServerPort int port;
  private LifecycleTopicProbe probe;

  @BeforeAll
  void connect() {
    probe = new LifecycleTopicProbe(broker.getBrokersAsString());
  }

  @AfterAll
  void disconnect() throws Exception {
    probe.close();
    FileSystemUtils.deleteRecursively(storage);
  }

  @Test
  void givenAJobRequest_whenConsumed_thenItIsStartedGeneratedStagedAndAnnounced() throws Exception {
    String jobId = UUID.randomUUID().toString();

    probe.publish(Events.aJobRequested(jobId));

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(events.get(2).metadata().getAttempt()).isEqualTo(1);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
    assertThat(generated.getStagedRef()).isEqualTo("staging/" + jobId + "/attempt-1.png");
    Path file = storage.resolve("asset-images").resolve(generated.getStagedRef());
    byte[] staged = Files.readAllBytes(file);
    assertThat(generated.getSha256()).isEqualTo(sha256(staged));
    assertThat(generated.getSizeBytes()).isEqualTo(staged.length);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(staged));
    assertThat(image.getWidth()).isEqualTo(generated.getWidth()).isEqualTo(256);
    assertThat(image.getHeight()).isEqualTo(generated.getHeight()).isEqualTo(144);
  }

  @Test
  void givenAJobOfTwoVariants_whenConsumed_thenBothAreGeneratedStagedApartAndListedInOneAnnouncement()
      throws Exception {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);
    requested.getSpec().setVariants(2);

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(counting.callsFor(jobId)).isEqualTo(2);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
    assertThat(generated.getVariants()).extracting(ImageVariant::getVariant).containsExactly(1, 2);
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath).containsExactly(
        "staging/" + jobId + "/attempt-1.png", "staging/" + jobId + "/attempt-1-variant-2.png");
    assertThat(generated.getStagedRef()).isEqualTo(generated.getVariants().get(0).getPath());
    for (ImageVariant variant : generated.getVariants()) {
      assertThat(variant.getErrorClass()).isNull();
      byte[] staged = Files.readAllBytes(storage.resolve("asset-images").resolve(variant.getPath()));
      assertThat(variant.getSha256()).isEqualTo(sha256(staged));
      assertThat(variant.getSizeBytes()).isEqualTo(staged.length);
      assertThat(variant.getWidth()).isEqualTo(256);
      assertThat(variant.getHeight()).isEqualTo(144);
    }
  }

  @Test
  void givenAPromptWithTheFailMarker_whenConsumed_thenTheJobFailsAtStageGenerating() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setPrompt("A storm at sea #fail");

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.get(3).payload(JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo("LOCAL_FAIL_MARKER");
  }

  @Test
  void givenAJobWithAReferenceImageInTheBucket_whenConsumed_thenTheProviderGetsItAndDrawsItInTheStrip()
      throws Exception {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);
    requested.getSpec().setReferences(List.of(ReferenceImages.stored(store, "ref-" + jobId,
        ReferenceImages.solidPng(16, 16, Color.RED), "image/png")));

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(counting.callsFor(jobId)).isEqualTo(1);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(
        Files.readAllBytes(storage.resolve("asset-images").resolve(generated.getStagedRef()))));
    // 256 x 144: the thumbnail is 28 pixels square (a fifth of the height), 2 from the top-left corner.
    assertThat(image.getRGB(16, 16)).isEqualTo(Color.RED.getRGB());
  }

  @Test
  void givenAnEditWithAMask_whenConsumed_thenTheStagedPngHasTheSourcesSizeAndOutsideTheMaskItsPixels()
      throws Exception {
    String jobId = UUID.randomUUID().toString();
    BufferedImage source = ReferenceImages.noise(160, 100, 7);
    Rectangle region = new Rectangle(40, 20, 60, 50);
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);
    requested.getSpec().setJobType(JobType.EDIT);
    requested.getSpec().setAssetId(null);
    requested.getSpec().setPrompt("Put a lantern on the table");
    requested.getSpec().setEdit(ReferenceImages.storedEdit(store, "edit-" + jobId,
        ReferenceImages.encode(source, "png"), "image/png", ReferenceImages.mask(160, 100, region)));

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(counting.callsFor(jobId)).isEqualTo(1);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
    assertThat(generated.getContentType()).isEqualTo("image/png");
    assertThat(generated.getWidth()).isEqualTo(160);
    assertThat(generated.getHeight()).isEqualTo(100);
    byte[] staged = Files.readAllBytes(storage.resolve("asset-images").resolve(generated.getStagedRef()));
    assertThat(generated.getSha256()).isEqualTo(sha256(staged));
    // The local provider answers at 256 x 144 for 16:9: its picture was resized to the source's size.
    BufferedImage result = ImageIO.read(new ByteArrayInputStream(staged));
    assertThat(result.getWidth()).isEqualTo(160);
    assertThat(result.getHeight()).isEqualTo(100);
    int changed = 0;
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 160; x++) {
        if (!region.contains(x, y)) {
          assertThat(result.getRGB(x, y)).as("(%d, %d), outside the mask", x, y).isEqualTo(source.getRGB(x, y));
        } else if (result.getRGB(x, y) != source.getRGB(x, y)) {
          changed++;
        }
      }
    }
    assertThat(changed).as("pixels edited inside the mask").isGreaterThan(region.width * region.height / 2);
  }

  @Test
  void givenAJobWithReferencesItsModelCannotTake_whenConsumed_thenItFailsPermanentWithoutAProviderCall() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);
    requested.getSpec().setModel("model-without-references");
    requested.getSpec().setReferences(List.of(ReferenceImages.stored(store, "ref-" + jobId,
        ReferenceImages.solidPng(16, 16, Color.RED), "image/png")));

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 3);
    assertThat(events).extracting(LifecycleEvent::type)
        .containsExactly(EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.get(2).payload(JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getMessage())
        .isEqualTo("reference images: model model-without-references takes no reference images");
    assertThat(counting.callsFor(jobId)).isZero();
  }

  @Test
  void givenGarbageOnTheTopic_whenConsumed_thenItIsDeadLetteredAndTheNextJobStillRuns() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(CloudEventHeaders.TYPE, EventType.JOB_REQUESTED.ceType().getBytes(StandardCharsets.UTF_8));
    String poisonKey = "poison-" + UUID.randomUUID();
    probe.publishRaw(poisonKey, "definitely not avro".getBytes(StandardCharsets.UTF_8), headers);
    String jobId = UUID.randomUUID().toString();

    probe.publish(Events.aJobRequested(jobId));

    probe.awaitEventsOf(jobId, e -> e.size() >= 4 && e.get(3).type() == EventType.IMAGE_GENERATED);
    ConsumerRecord<byte[], byte[]> dead = probe.deadLetters().stream()
        .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(poisonKey))
        .findFirst().orElseThrow();
    assertThat(dead.value()).isEqualTo("definitely not avro".getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead, CloudEventHeaders.TYPE)).isEqualTo(EventType.JOB_REQUESTED.ceType());
    assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("UndecodableEventException");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.LIFECYCLE.name());
    assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).matches("[01]");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).matches("\\d+");
    assertThat(header(dead, DeadLetterHeaders.CONSUMER_GROUP)).isEqualTo("image-jobs-generation");
  }

  @Test
  void givenAnImageStagedBeforeACrash_whenTheRequestIsDelivered_thenItIsAnnouncedWithoutCallingTheProvider()
      throws Exception {
    String jobId = UUID.randomUUID().toString();
    byte[] earlier = ((ImageArtifact.Bytes) local.generate(
        new GenerationRequest(jobId, 0, 1, "Generated before the crash", "16:9", "1K", "local-v1", List.of()))
        .get(10, TimeUnit.SECONDS)).content();
    store.putIfAbsent(BlobPath.of("staging", jobId, "attempt-1.png"), earlier,
        new BlobMetadata("image/png", "private, no-store", Map.of("jobId", jobId)));
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);

    probe.publish(requested);

    // GenerationStarted of that attempt went out before the crash; the image is announced straight away.
    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 3);
    assertThat(events).extracting(LifecycleEvent::type)
        .containsExactly(EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = events.get(2).payload(ImageGenerated.class);
    assertThat(generated.getStagedRef()).isEqualTo("staging/" + jobId + "/attempt-1.png");
    assertThat(generated.getSha256()).isEqualTo(sha256(earlier));
    assertThat(generated.getActualCostMicros()).isZero();
    assertThat(counting.callsFor(jobId)).isZero();
  }

  @Test
  void givenARedeliveredRequest_whenConsumedAgain_thenTheStagedImageIsReusedWithTheSameEventIds() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);
    probe.publish(requested);
    List<LifecycleEvent> first = probe.awaitEventsOf(jobId, e -> e.size() >= 4);

    probe.publish(requested);

    // The second delivery repeats JobStarted and ImageGenerated under their first ids.
    List<LifecycleEvent> all = probe.awaitEventsOf(jobId, e -> e.size() >= 7);
    assertThat(all.subList(5, 7)).extracting(e -> e.metadata().getEventId())
        .containsExactly(first.get(1).metadata().getEventId(), first.get(3).metadata().getEventId());
    assertThat(all.get(6).payload(ImageGenerated.class).getStagedRef())
        .isEqualTo(first.get(3).payload(ImageGenerated.class).getStagedRef());
    assertThat(counting.callsFor(jobId)).isEqualTo(1);
  }

  @Test
  void givenSixtyFourJobsOnTwoPartitionsAndAOneSecondProvider_whenConsumed_thenTheyRunSideBySideWithinTheLimit() {
    List<String> jobIds = new ArrayList<>();
    Instant published = Instant.now();
    for (int i = 0; i < 64; i++) {
      JobRequested requested = Events.aJobRequested(UUID.randomUUID().toString());
      requested.getSpec().setProvider(SLOW);
      jobIds.add(requested.getMetadata().getJobId());
      probe.publish(requested);
    }

    // One job at a time per partition would take 32 s; 32 in flight take about 2 s.
    Map<String, List<LifecycleEvent>> events = await().atMost(Duration.ofSeconds(20)).until(probe::eventsByJob,
        all -> jobIds.stream().allMatch(jobId -> all.getOrDefault(jobId, List.of()).stream()
            .anyMatch(e -> e.type() == EventType.IMAGE_GENERATED)));
    Instant lastGenerated = jobIds.stream().map(jobId -> events.get(jobId).get(3).metadata().getOccurredAt())
        .max(Comparator.naturalOrder()).orElseThrow();
    log.info("64 one-second jobs on 2 partitions: last image announced {} ms after the first request, at most {} at once",
        Duration.between(published, lastGenerated).toMillis(), slow.mostInFlight());
    assertThat(slow.mostInFlight()).isGreaterThan(2).isLessThanOrEqualTo(32);
    for (String jobId : jobIds) {
      assertThat(events.get(jobId)).extracting(LifecycleEvent::type).containsExactly(EventType.JOB_REQUESTED,
          EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    }
  }

  @Test
  void givenABacklogOfNormalJobs_whenAHighAndALowJobArrive_thenTheHighStartsAtTheNextFreeSlotAndTheLowLast() {
    List<String> normal = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      JobRequested requested = Events.aJobRequested(UUID.randomUUID().toString());
      requested.getSpec().setProvider(SLOWER);
      normal.add(requested.getMetadata().getJobId());
      probe.publish(requested);
    }
    // Thirty-two three-second jobs run; the others wait, read ahead.
    JobRequested low = Events.aJobRequested(UUID.randomUUID().toString());
    low.getSpec().setProvider(SLOWER);
    low.getSpec().setPriority(JobPriority.LOW);
    JobRequested high = Events.aJobRequested(UUID.randomUUID().toString());
    high.getSpec().setProvider(SLOWER);
    high.getSpec().setPriority(JobPriority.HIGH);
    probe.publish(low);
    probe.publish(high);

    List<String> all = new ArrayList<>(normal);
    all.add(high.getMetadata().getJobId());
    all.add(low.getMetadata().getJobId());
    Map<String, List<LifecycleEvent>> events = await().atMost(Duration.ofSeconds(60)).until(probe::eventsByJob,
        byJob -> all.stream().allMatch(jobId -> byJob.getOrDefault(jobId, List.of()).stream()
            .anyMatch(e -> e.type() == EventType.IMAGE_GENERATED)));
    Instant highStarted = started(events, high.getMetadata().getJobId());
    Instant lowStarted = started(events, low.getMetadata().getJobId());
    long normalsBeforeHigh = normal.stream().filter(jobId -> started(events, jobId).isBefore(highStarted)).count();
    long normalsNotAfterLow = normal.stream().filter(jobId -> !started(events, jobId).isAfter(lowStarted)).count();
    log.info("96 normal three-second jobs: the high job started after {} of them, the low one after {}",
        normalsBeforeHigh, normalsNotAfterLow);
    // In topic order the high job would start after all 96: it took one of the first slots freed
    // after it arrived (the second wave); the low one waited for every normal one.
    assertThat(normalsBeforeHigh).isLessThan(64);
    assertThat(normalsNotAfterLow).isEqualTo(96);
  }

  private static Instant started(Map<String, List<LifecycleEvent>> events, String jobId) {
    return events.getOrDefault(jobId, List.of()).stream().filter(e -> e.type() == EventType.JOB_STARTED)
        .map(e -> e.metadata().getOccurredAt()).findFirst().orElse(null);
  }

  @Test
  void givenAnUnknownSchemaFingerprint_whenConsumed_thenItIsDeadLetteredAndTheNextJobStillRuns() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(CloudEventHeaders.TYPE, EventType.JOB_REQUESTED.ceType().getBytes(StandardCharsets.UTF_8));
    String poisonKey = "unknown-" + UUID.randomUUID();
    // Avro single-object encoding: marker C3 01, then an 8-byte fingerprint no kept schema has.
    byte[] unknown = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x41};
    probe.publishRaw(poisonKey, unknown, headers);
    String jobId = UUID.randomUUID().toString();

    probe.publish(Events.aJobRequested(jobId));

    probe.awaitEventsOf(jobId, e -> e.size() >= 4 && e.get(3).type() == EventType.IMAGE_GENERATED);
    ConsumerRecord<byte[], byte[]> dead = await().atMost(LifecycleTopicProbe.TIMEOUT).until(
        () -> probe.deadLetters().stream()
            .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(poisonKey))
            .findFirst(), Optional::isPresent).orElseThrow();
    assertThat(dead.value()).isEqualTo(unknown);
    assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("UndecodableEventException").contains("fingerprint");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.LIFECYCLE.name());
  }

  @Test
  void givenACancelWhileTheProviderWorks_whenItAnswers_thenTheJobIsCanceledAndNothingIsAnnounced() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(SLOW);
    probe.publish(requested);
    probe.awaitEventsOf(jobId, e -> e.size() >= 3);

    probe.publish(JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata(jobId, "gateway", 0))
        .setReason("wrong prompt")
        .build());

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 5);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(EventType.JOB_REQUESTED,
        EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_CANCEL_REQUESTED, EventType.JOB_CANCELED);
    assertThat(events.get(4).payload(JobCanceled.class).getStage()).isEqualTo("generating");
    assertThat(store.list(BlobPath.of("staging", jobId))).extracting(listing -> listing.path().value())
        .containsExactly("staging/" + jobId + "/cancel-requested");
  }

  @Test
  void givenJobsRan_whenPrometheusIsScraped_thenProviderLatencyAttemptsAndJobsInFlightAreReported() throws Exception {
    String jobId = UUID.randomUUID().toString();
    probe.publish(Events.aJobRequested(jobId));
    probe.awaitEventsOf(jobId, e -> e.size() >= 4);

    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body())
        .contains("imagejobs_provider_latency_seconds_bucket{")
        .contains("imagejobs_provider_attempts_total{application=\"generation-service\",provider=\"local\"}")
        .contains("imagejobs_generation_jobs_in_flight{application=\"generation-service\"}")
        .as("the Kafka consumer's own metrics").contains("kafka_consumer_fetch_manager_records_consumed_total");
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
