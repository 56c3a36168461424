package dev.imagejobs.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.DeadLetterHeaders;
import dev.imagejobs.messaging.testing.LifecycleTopicProbe;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
  private static Path storage;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) throws Exception {
    storage = Files.createTempDirectory("generation-it");
    registry.add("imagejobs.storage.dir", storage::toString);
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired BlobStore store;
  private LifecycleTopicProbe probe;

  @BeforeAll
  void connect() {
    probe = new LifecycleTopicProbe(broker.getBrokersAsString());
  }

  @AfterAll
  void disconnect() {
    probe.close();
  }

  @Test
  void givenAJobRequest_whenConsumed_thenItIsGeneratedStagedAndAnnounced() throws Exception {
    String jobId = UUID.randomUUID().toString();

    probe.publish(Events.aJobRequested(jobId));

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_REQUESTED, EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = events.get(3).payload(ImageGenerated.class);
    byte[] staged = store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content();
    assertThat(generated.getSha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(staged)));
    assertThat(generated.getWidth()).isEqualTo(256);
    assertThat(generated.getHeight()).isEqualTo(144);
    assertThat(Files.exists(storage.resolve("asset-images").resolve(generated.getStagedRef()))).isTrue();
  }

  @Test
  void givenAPromptWithTheFailMarker_thenTheJobFailsAtStageGenerating() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setPrompt("A storm at sea #fail");

    probe.publish(requested);

    List<LifecycleEvent> events = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    JobFailed failed = events.get(3).payload(JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
  }

  @Test
  void givenGarbageOnTheTopic_thenItIsDeadLetteredAndTheNextJobStillRuns() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(CloudEventHeaders.TYPE, EventType.JOB_REQUESTED.ceType().getBytes(StandardCharsets.UTF_8));
    String poisonKey = "poison-" + UUID.randomUUID();
    probe.publishRaw(poisonKey, "definitely not avro".getBytes(StandardCharsets.UTF_8), headers);
    String jobId = UUID.randomUUID().toString();

    probe.publish(Events.aJobRequested(jobId));

    probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    ConsumerRecord<byte[], byte[]> dead = probe.deadLetters().stream()
        .filter(r -> r.key() != null && new String(r.key()).equals(poisonKey)).findFirst().orElseThrow();
    assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value())).contains("marker");
    assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.CONSUMER_GROUP).value()))
        .isEqualTo("image-jobs-generation");
    assertThat(dead.value()).isEqualTo("definitely not avro".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void givenARedeliveredRequestWhoseImageIsStaged_thenTheStagedImageIsReusedWithTheSameEventIds() {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    probe.publish(requested);
    List<LifecycleEvent> first = probe.awaitEventsOf(jobId, e -> e.size() >= 4);
    String stagedRef = first.get(3).payload(ImageGenerated.class).getStagedRef();

    probe.publish(requested);

    List<LifecycleEvent> all = probe.awaitEventsOf(jobId, e -> e.size() >= 8);
    assertThat(all.subList(5, 8)).extracting(e -> e.metadata().getEventId())
        .containsExactlyElementsOf(first.subList(1, 4).stream().map(e -> e.metadata().getEventId()).toList());
    assertThat(all.get(7).payload(ImageGenerated.class).getStagedRef()).isEqualTo(stagedRef);
    assertThat(all.get(7).payload(ImageGenerated.class).getActualCostMicros()).isZero();
  }
}
