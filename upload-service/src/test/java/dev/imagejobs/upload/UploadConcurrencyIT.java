package dev.imagejobs.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.messaging.testing.LifecycleTopicProbe;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.ForwardingBlobStore;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.StagingArea;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Utils;
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
import org.springframework.util.FileSystemUtils;

/**
 * Many uploads at once, a job's records still in order: against a real broker with fewer partitions
 * than jobs in flight, and a filesystem store that can hold writes until the test lets them go.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"imagejobs.topics.partitions=" + UploadConcurrencyIT.PARTITIONS, "imagejobs.upload.max-in-flight=16"})
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadConcurrencyIT {
  static final int PARTITIONS = 2;
  private static final Path STORAGE_DIR = temporaryDirectory();
  private static final Duration GATE_TIMEOUT = Duration.ofSeconds(20);

  @TestConfiguration(proxyBeanMethods = false)
  static class GatedStorage {
    /** Replaces the configured store, which gives way to a store bean of the application's own. */
    @Bean
    GatedStore gatedStore() {
      return new GatedStore(new FilesystemBlobStore(STORAGE_DIR.resolve("asset-images")));
    }
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired GatedStore store;
  private LifecycleTopicProbe probe;
  private final byte[] png = TestImages.png(160, 90);

  @BeforeAll
  void connect() {
    probe = new LifecycleTopicProbe(broker.getBrokersAsString());
  }

  @AfterAll
  void disconnect() {
    probe.close();
    FileSystemUtils.deleteRecursively(STORAGE_DIR.toFile());
  }

  @Test
  void givenTwelveImagesOnTwoPartitions_whenUploaded_thenAllTwelveFinalWritesWaitSideBySide() {
    int jobs = 12;
    // Each final write waits until all twelve are waiting: one upload at a time per partition never gets there.
    store.holdFinalWritesUntil(jobs);
    List<String> jobIds = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      String jobId = UUID.randomUUID().toString();
      jobIds.add(jobId);
      probe.publish(TestImages.anImageGenerated(jobId, stage(jobId).value(), png).build());
    }

    Map<String, List<LifecycleEvent>> events = await().atMost(LifecycleTopicProbe.TIMEOUT).until(probe::eventsByJob,
        all -> jobIds.stream().allMatch(jobId -> typesOf(all, jobId).contains(EventType.JOB_COMPLETED)));

    assertThat(store.mostFinalWritesWaiting()).isEqualTo(jobs);
    for (String jobId : jobIds) {
      assertThat(typesOf(events, jobId))
          .containsExactly(EventType.IMAGE_GENERATED, EventType.UPLOAD_STARTED, EventType.JOB_COMPLETED);
    }
  }

  @Test
  void givenACancelStillBeingRecorded_whenTheJobsImageFollows_thenTheImageWaitsForItWhileOtherJobsGoOn() {
    String canceledJob = UUID.randomUUID().toString();
    String otherJob = anotherJobOnTheSamePartitionAs(canceledJob);
    BlobPath canceledImage = stage(canceledJob);
    BlobPath otherImage = stage(otherJob);
    CountDownLatch markerWrite = store.holdWriteOf(StagingArea.cancelMarker(canceledJob, 0));

    probe.publish(JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata(canceledJob, "gateway", 0)).setReason("wrong prompt").build());
    probe.publish(TestImages.anImageGenerated(canceledJob, canceledImage.value(), png).build());
    probe.publish(TestImages.anImageGenerated(otherJob, otherImage.value(), png).build());

    // The other job, behind both records on the same partition, completes while the cancel is held.
    probe.awaitEventsOf(otherJob, events -> events.stream().anyMatch(e -> e.type() == EventType.JOB_COMPLETED));
    assertThat(markerWrite.getCount()).as("the cancel marker is still being written").isOne();
    assertThat(probe.eventsOf(canceledJob)).extracting(LifecycleEvent::type)
        .containsExactly(EventType.JOB_CANCEL_REQUESTED, EventType.IMAGE_GENERATED);

    markerWrite.countDown();

    List<LifecycleEvent> events = probe.awaitEventsOf(canceledJob, all -> all.size() >= 3);
    assertThat(events).extracting(LifecycleEvent::type).containsExactly(
        EventType.JOB_CANCEL_REQUESTED, EventType.IMAGE_GENERATED, EventType.JOB_CANCELED);
    assertThat(store.get(canceledImage)).isEmpty();
    assertThat(store.list(BlobPath.of("tenant_tenant-a", "project_p1"))).extracting(listing -> listing.path().value())
        .noneMatch(path -> path.contains(canceledJob));
  }

  private BlobPath stage(String jobId) {
    BlobPath staged = BlobPath.of("staging", jobId, "attempt-1.png");
    store.putIfAbsent(staged, png, new BlobMetadata("image/png", "private, no-store", Map.of("jobId", jobId)));
    return staged;
  }

  private static List<EventType> typesOf(Map<String, List<LifecycleEvent>> events, String jobId) {
    return events.getOrDefault(jobId, List.of()).stream().map(LifecycleEvent::type).toList();
  }

  /** A job id whose records the producers' partitioner puts on the same partition as {@code jobId}'s. */
  private static String anotherJobOnTheSamePartitionAs(String jobId) {
    while (true) {
      String candidate = UUID.randomUUID().toString();
      if (partitionOf(candidate) == partitionOf(jobId)) {
        return candidate;
      }
    }
  }

  private static int partitionOf(String key) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("upload-concurrency-it");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A filesystem store whose writes the test can hold: final images until enough wait, or one chosen path. */
  static final class GatedStore extends ForwardingBlobStore {
    private volatile CountDownLatch finalWrites;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger mostWaiting = new AtomicInteger();
    private final Map<BlobPath, CountDownLatch> held = new java.util.concurrent.ConcurrentHashMap<>();

    GatedStore(BlobStore delegate) {
      super(delegate);
    }

    /** Every final image write waits until {@code writers} of them are waiting (or the gate times out). */
    void holdFinalWritesUntil(int writers) {
      mostWaiting.set(0);
      finalWrites = new CountDownLatch(writers);
    }

    int mostFinalWritesWaiting() {
      return mostWaiting.get();
    }

    /** The write of {@code path} waits until the returned latch is counted down. */
    CountDownLatch holdWriteOf(BlobPath path) {
      CountDownLatch release = new CountDownLatch(1);
      held.put(path, release);
      return release;
    }

    @Override
    public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata, Durability durability) {
      holdIfAsked(path);
      return super.putIfAbsent(path, content, metadata, durability);
    }

    @Override
    public PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
      holdIfAsked(target);
      return super.copyIfAbsent(source, target, metadata, durability);
    }

    private void holdIfAsked(BlobPath path) {
      CountDownLatch release = held.get(path);
      if (release != null) {
        await(release);
      }
      CountDownLatch gate = finalWrites;
      if (gate != null && !path.value().startsWith(StagingArea.PREFIX + "/")) {
        mostWaiting.accumulateAndGet(waiting.incrementAndGet(), Math::max);
        gate.countDown();
        await(gate);
        waiting.decrementAndGet();
      }
    }

    private static void await(CountDownLatch latch) {
      try {
        latch.await(GATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
