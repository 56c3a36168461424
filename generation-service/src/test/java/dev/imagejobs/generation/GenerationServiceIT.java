package dev.imagejobs.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.messaging.DeadLetterHeaders;
import dev.imagejobs.messaging.testing.LifecycleTopicProbe;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
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
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"imagejobs.topics.partitions=2", "imagejobs.providers.local.fail-marker=#fail",
        "imagejobs.providers.local.long-side=256"})
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationServiceIT {
  private static final String COUNTING = "counting";
  private static Path storage;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) throws Exception {
    storage = Files.createTempDirectory("generation-it");
    registry.add("imagejobs.storage.dir", storage::toString);
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class CountedCalls {
    /** The local provider under another name, counting its calls: jobs choose it by JobSpec.provider. */
    @Bean
    CountingProvider countingProvider(LocalImageProvider local) {
      return new CountingProvider(COUNTING, local);
    }
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired BlobStore store;
  @Autowired LocalImageProvider local;
  @Autowired CountingProvider counting;
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
        new GenerationRequest(jobId, 1, "Generated before the crash", "16:9", "1K", "local-v1"))
        .get(10, TimeUnit.SECONDS)).content();
    store.putIfAbsent(BlobPath.of("staging", jobId, "attempt-1.png"), earlier,
        new BlobMetadata("image/png", "private, no-store", Map.of("jobId", jobId)));
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(COUNTING);

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
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

    List<LifecycleEvent> all = probe.awaitEventsOf(jobId, e -> e.size() >= 8);
    assertThat(all.subList(5, 8)).extracting(e -> e.metadata().getEventId())
        .containsExactlyElementsOf(first.subList(1, 4).stream().map(e -> e.metadata().getEventId()).toList());
    assertThat(all.get(7).payload(ImageGenerated.class).getStagedRef())
        .isEqualTo(first.get(3).payload(ImageGenerated.class).getStagedRef());
    assertThat(counting.callsFor(jobId)).isEqualTo(1);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
