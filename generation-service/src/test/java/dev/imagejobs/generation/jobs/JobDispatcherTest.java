package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.generation.testing.InMemoryBlobStore;
import dev.imagejobs.generation.testing.RecordingPublisher;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;

class JobDispatcherTest {
  private static final byte[] GARBAGE = "definitely not avro".getBytes(StandardCharsets.UTF_8);

  private final LifecycleCodec codec = new LifecycleCodec();
  private final ExecutorService work = Executors.newFixedThreadPool(4);
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final RecordingPublisher events = new RecordingPublisher();
  private final LocalImageProvider local =
      new LocalImageProvider(new LocalProviderSettings("#fail", Duration.ZERO, 0, 64));
  private final Map<ConsumerRecord<?, ?>, Exception> deadLetters = new ConcurrentHashMap<>();
  private long nextOffset;

  @AfterEach
  void stopWorkers() {
    work.shutdownNow();
  }

  @Test
  void givenABatchOfJobs_whenDispatched_thenTheyAreAllInFlightAtOnce() {
    GatedProvider gated = new GatedProvider(3, local);
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(
        record(Events.aJobRequested("job-a")), record(Events.aJobRequested("job-b")),
        record(Events.aJobRequested("job-c")));

    // Each call is held until all three have arrived: one job at a time would time out instead.
    CompletableFuture<Void> dispatched = CompletableFuture.runAsync(() -> dispatcher(gated).dispatch(batch));

    assertThat(dispatched).succeedsWithin(Duration.ofSeconds(10));
    for (String jobId : List.of("job-a", "job-b", "job-c")) {
      assertThat(events.typesOf(jobId)).last().isEqualTo(EventType.IMAGE_GENERATED);
    }
    assertThat(gated.mostInFlight()).isEqualTo(3);
  }

  @Test
  void givenTheSameRequestTwiceInABatch_whenDispatched_thenTheProviderIsCalledOnceAndTheEventsRepeat() {
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);
    JobRequested requested = Events.aJobRequested("job-d");

    dispatcher(counting).dispatch(List.of(record(requested), record(requested)));

    assertThat(counting.callsFor("job-d")).isEqualTo(1);
    List<String> ids = events.eventIdsOf("job-d");
    assertThat(ids).hasSize(6);
    assertThat(ids.subList(3, 6)).isEqualTo(ids.subList(0, 3));
  }

  @Test
  void givenOtherEventTypes_whenDispatched_thenTheyAreSkippedOnTheirHeaderWithoutDecoding() {
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);

    dispatcher(counting).dispatch(List.of(raw("job-e", EventType.JOB_STARTED, GARBAGE),
        record(Events.aJobStarted("job-e"))));

    assertThat(counting.calls()).isZero();
    assertThat(deadLetters).isEmpty();
    assertThat(events.eventsOf("job-e")).isEmpty();
  }

  @Test
  void givenAnUndecodableRequest_whenDispatched_thenItIsDeadLetteredAndTheOtherJobsRun() {
    ConsumerRecord<byte[], byte[]> poison = raw("job-f", EventType.JOB_REQUESTED, GARBAGE);

    dispatcher(local).dispatch(List.of(poison, record(Events.aJobRequested("job-g"))));

    assertThat(deadLetters).containsOnlyKeys(poison);
    assertThat(deadLetters.get(poison)).isInstanceOf(UndecodableEventException.class);
    assertThat(events.typesOf("job-g")).last().isEqualTo(EventType.IMAGE_GENERATED);
  }

  @Test
  void givenAJobIdThatCannotNameAStagingFolder_whenDispatched_thenItIsDeadLetteredWithoutAnyEvent() {
    ConsumerRecord<byte[], byte[]> escaping = record(Events.aJobRequested("../escape"));

    dispatcher(local).dispatch(List.of(escaping));

    assertThat(deadLetters.get(escaping)).isInstanceOf(UnprocessableRecordException.class)
        .hasMessageContaining("../escape");
    assertThat(events.eventsOf("../escape")).isEmpty();
  }

  @Test
  void givenARetryRequest_whenDispatched_thenANewRunStartsAtAttemptOne() {
    JobRetryRequested retry = JobRetryRequested.newBuilder()
        .setMetadata(Events.metadata("job-h", "gateway", 0))
        .setSpec(Events.anAssetKeySpec().build())
        .setRetryCount(1)
        .build();

    dispatcher(local).dispatch(List.of(record(retry)));

    ImageGenerated generated = events.last("job-h", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-h/retry-1/attempt-1.png");
  }

  @Test
  void givenAJobWhoseEventsCannotBePublished_whenDispatched_thenTheBatchFailsAtThatRecordAfterTheOthersFinished() {
    events.refuseEventsOf("job-j");
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(
        record(Events.aJobRequested("job-i")), record(Events.aJobRequested("job-j")),
        raw("job-k", EventType.JOB_REQUESTED, GARBAGE), record(Events.aJobRequested("job-l")));

    assertThatThrownBy(() -> dispatcher(local).dispatch(batch))
        .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> {
          assertThat(e.getIndex()).isEqualTo(1);
          assertThat(e.getCause()).isInstanceOf(EventPublishingException.class);
        });
    assertThat(events.typesOf("job-i")).last().isEqualTo(EventType.IMAGE_GENERATED);
    assertThat(events.typesOf("job-l")).last().isEqualTo(EventType.IMAGE_GENERATED);
    // Delivered again from job-j on, so dead-lettered then.
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void givenTheDeadLetterTopicIsUnreachable_whenDispatched_thenTheBatchFailsAtTheUndecodableRecord() {
    ConsumerRecord<byte[], byte[]> poison = raw("job-m", EventType.JOB_REQUESTED, GARBAGE);
    JobDispatcher dispatcher = new JobDispatcher(new LifecycleRecords(codec), runner(local), (record, e) -> {
      throw new EventPublishingException("Cannot dead-letter", e);
    });

    assertThatThrownBy(() -> dispatcher.dispatch(List.of(record(Events.aJobRequested("job-n")), poison)))
        .isInstanceOfSatisfying(BatchListenerFailedException.class, e -> assertThat(e.getIndex()).isEqualTo(1));
    assertThat(events.typesOf("job-n")).last().isEqualTo(EventType.IMAGE_GENERATED);
  }

  private JobDispatcher dispatcher(ImageProvider provider) {
    return new JobDispatcher(new LifecycleRecords(codec), runner(provider), deadLetters::put);
  }

  private JobRunner runner(ImageProvider provider) {
    return new JobRunner(new ProviderRegistry(List.of(provider)),
        new ArtifactReader(HttpClient.newHttpClient(), Duration.ofSeconds(5), 1 << 20), new ArtifactStager(store),
        events, new EventMetadataFactory("generation", Clock.systemUTC()), work, Duration.ofSeconds(5));
  }

  private ConsumerRecord<byte[], byte[]> record(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    RecordHeaders headers = new RecordHeaders();
    CloudEventHeaders.write(headers, lifecycleEvent);
    return consumerRecord(lifecycleEvent.jobId(), codec.encode(event), headers);
  }

  private ConsumerRecord<byte[], byte[]> raw(String key, EventType declaredType, byte[] value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(CloudEventHeaders.TYPE, declaredType.ceType().getBytes(StandardCharsets.UTF_8));
    return consumerRecord(key, value, headers);
  }

  private ConsumerRecord<byte[], byte[]> consumerRecord(String key, byte[] value, RecordHeaders headers) {
    return new ConsumerRecord<>(Topics.LIFECYCLE.name(), 0, nextOffset++, 0L, TimestampType.CREATE_TIME,
        key.length(), value.length, key.getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
  }

  /** Holds every call until {@code expected} calls have arrived, then lets the local provider answer. */
  private static final class GatedProvider implements ImageProvider {
    private final int expected;
    private final ImageProvider delegate;
    private final CompletableFuture<Void> allArrived = new CompletableFuture<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    GatedProvider(int expected, ImageProvider delegate) {
      this.expected = expected;
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
      int now = inFlight.incrementAndGet();
      mostInFlight.accumulateAndGet(now, Math::max);
      if (now == expected) {
        allArrived.complete(null);
      }
      return allArrived.thenCompose(open -> delegate.generate(request))
          .whenComplete((artifact, failure) -> inFlight.decrementAndGet());
    }

    int mostInFlight() {
      return mostInFlight.get();
    }
  }
}
