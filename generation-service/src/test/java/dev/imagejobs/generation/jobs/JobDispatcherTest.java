package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.generation.testing.InMemoryBlobStore;
import dev.imagejobs.generation.testing.RecordingPublisher;
import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.messaging.ModelSettings;
import dev.imagejobs.messaging.UnprocessableRecordException;
import dev.imagejobs.messaging.testing.TopicRecords;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.storage.StagingArea;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobDispatcherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] GARBAGE = "definitely not avro".getBytes(StandardCharsets.UTF_8);

  private final LifecycleCodec codec = new LifecycleCodec();
  private final ExecutorService work = Executors.newFixedThreadPool(4);
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final RecordingPublisher events = new RecordingPublisher();
  private final LocalImageProvider local =
      new LocalImageProvider(new LocalProviderSettings("#fail", Duration.ZERO, 0, 64));
  private final Map<ConsumerRecord<?, ?>, Exception> deadLetters = new ConcurrentHashMap<>();
  private final TopicRecords topic = new TopicRecords();

  @AfterEach
  void stopWorkers() {
    work.shutdownNow();
  }

  @Test
  void givenSeveralJobs_whenDispatched_thenTheyAreAllInFlightAtOnce() {
    GatedProvider gated = new GatedProvider(3, local);
    JobDispatcher dispatcher = dispatcher(gated);

    // Each call is held until all three have arrived: one job at a time would never finish.
    List<CompletableFuture<Void>> outcomes = List.of(
        dispatcher.handle(record(Events.aJobRequested("job-a"))),
        dispatcher.handle(record(Events.aJobRequested("job-b"))),
        dispatcher.handle(record(Events.aJobRequested("job-c"))));

    assertThat(CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))).succeedsWithin(TIMEOUT);
    for (String jobId : List.of("job-a", "job-b", "job-c")) {
      assertThat(events.typesOf(jobId)).last().isEqualTo(EventType.IMAGE_GENERATED);
    }
    assertThat(gated.mostInFlight()).isEqualTo(3);
  }

  @Test
  void givenTheSameRequestTwice_whenDispatched_thenTheSecondWaitsForTheFirstAndReusesItsImage() {
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);
    JobRequested requested = Events.aJobRequested("job-d");
    JobDispatcher dispatcher = dispatcher(counting);

    CompletableFuture<Void> first = dispatcher.handle(record(requested));
    CompletableFuture<Void> second = dispatcher.handle(record(requested));

    assertThat(CompletableFuture.allOf(first, second)).succeedsWithin(TIMEOUT);
    assertThat(counting.callsFor("job-d")).isEqualTo(1);
    List<String> ids = events.eventIdsOf("job-d");
    assertThat(ids).hasSize(5);
    // The second delivery repeats JobStarted and ImageGenerated under the same ids.
    assertThat(ids.subList(3, 5)).containsExactly(ids.get(0), ids.get(2));
  }

  @Test
  void givenOtherEventTypes_whenDispatched_thenTheyAreSkippedOnTheirHeaderWithoutDecoding() {
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);
    JobDispatcher dispatcher = dispatcher(counting);

    assertThat(dispatcher.handle(raw("job-e", EventType.JOB_STARTED, GARBAGE))).isCompleted();
    assertThat(dispatcher.handle(record(Events.aJobStarted("job-e")))).isCompleted();

    assertThat(counting.calls()).isZero();
    assertThat(deadLetters).isEmpty();
    assertThat(events.eventsOf("job-e")).isEmpty();
  }

  @Test
  void givenAnUndecodableRequest_whenDispatched_thenItIsDeadLetteredAndTheNextJobRuns() {
    ConsumerRecord<byte[], byte[]> poison = raw("job-f", EventType.JOB_REQUESTED, GARBAGE);
    JobDispatcher dispatcher = dispatcher(local);

    assertThat(dispatcher.handle(poison)).succeedsWithin(TIMEOUT);
    assertThat(dispatcher.handle(record(Events.aJobRequested("job-g")))).succeedsWithin(TIMEOUT);

    assertThat(deadLetters).containsOnlyKeys(poison);
    assertThat(deadLetters.get(poison)).isInstanceOf(UndecodableEventException.class);
    assertThat(events.typesOf("job-g")).last().isEqualTo(EventType.IMAGE_GENERATED);
  }

  @Test
  void givenAJobIdThatCannotNameAStagingFolder_whenDispatched_thenItIsDeadLetteredWithoutAnyEvent() {
    ConsumerRecord<byte[], byte[]> escaping = record(Events.aJobRequested("../escape"));

    assertThat(dispatcher(local).handle(escaping)).succeedsWithin(TIMEOUT);

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

    assertThat(dispatcher(local).handle(record(retry))).succeedsWithin(TIMEOUT);

    ImageGenerated generated = events.last("job-h", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-h/retry-1/attempt-1.png");
  }

  @Test
  void givenACancelRequest_whenDispatched_thenTheMarkerIsWrittenAndALaterRunEndsCanceled() {
    JobRequested requested = Events.aJobRequested("job-c1");
    JobCancelRequested cancel = JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata("job-c1", "gateway", 0))
        .build();
    JobDispatcher dispatcher = dispatcher(local);

    assertThat(dispatcher.handle(record(cancel))).succeedsWithin(TIMEOUT);
    assertThat(dispatcher.handle(record(requested))).succeedsWithin(TIMEOUT);

    assertThat(StagingArea.isCanceled(store, "job-c1", 0)).isTrue();
    assertThat(events.typesOf("job-c1")).containsExactly(EventType.JOB_CANCELED);
  }

  @Test
  void givenAJobWhoseEventsCannotBePublished_whenTheBrokerComesBack_thenTheJobIsRunAgainAndFinishes() {
    events.refuseEventsOf("job-j");
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);

    CompletableFuture<Void> outcome = dispatcher(counting, 100).handle(record(Events.aJobRequested("job-j")));
    // The first run and at least one more were refused at JobStarted, before any provider call.
    await().atMost(TIMEOUT).until(() -> events.refused() >= 2);
    events.acceptEventsOf("job-j");

    assertThat(outcome).succeedsWithin(TIMEOUT);
    // Events go out without waiting, so a refused run's GenerationStarted may have got out before
    // its JobStarted was known refused; consumers reject it in queued and take the repeat, which has
    // the same event id. The run that finished sent the whole sequence, in order.
    List<EventType> types = events.typesOf("job-j");
    assertThat(types.subList(types.size() - 3, types.size()))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(types).containsOnlyOnce(EventType.JOB_STARTED, EventType.IMAGE_GENERATED);
    assertThat(counting.callsFor("job-j")).isEqualTo(1);
    assertThat(deadLetters).isEmpty();
  }

  @Test
  void givenAJobWhoseEventsNeverGetOut_whenRedeliveriesRunOut_thenItIsDeadLetteredWithTheReason() {
    events.refuseEventsOf("job-k");
    ConsumerRecord<byte[], byte[]> stuck = record(Events.aJobRequested("job-k"));

    assertThat(dispatcher(local, 2).handle(stuck)).succeedsWithin(TIMEOUT);

    assertThat(deadLetters.get(stuck)).isInstanceOf(EventPublishingException.class);
  }

  @Test
  void givenTheDeadLetterTopicIsUnreachableForAWhile_whenDispatched_thenDeadLetteringIsTriedUntilItWorks() {
    ConsumerRecord<byte[], byte[]> poison = raw("job-m", EventType.JOB_REQUESTED, GARBAGE);
    AtomicInteger tries = new AtomicInteger();
    JobDispatcher dispatcher = new JobDispatcher(new LifecycleRecords(codec), runner(local), (record, e) -> {
      if (tries.incrementAndGet() < 3) {
        return CompletableFuture.failedFuture(new EventPublishingException("Cannot dead-letter", e));
      }
      deadLetters.put(record, e);
      return CompletableFuture.completedFuture(null);
    }, work, 2, Duration.ofMillis(10), JobTracing.disabled());

    assertThat(dispatcher.handle(poison)).succeedsWithin(TIMEOUT);

    assertThat(tries).hasValue(3);
    assertThat(deadLetters).containsOnlyKeys(poison);
  }

  private JobDispatcher dispatcher(ImageProvider provider) {
    return dispatcher(provider, 2);
  }

  private JobDispatcher dispatcher(ImageProvider provider, int maxRedeliveries) {
    return new JobDispatcher(new LifecycleRecords(codec), runner(provider), this::deadLetter, work, maxRedeliveries,
        Duration.ofMillis(10), JobTracing.disabled());
  }

  private CompletableFuture<Void> deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason) {
    deadLetters.put(record, reason);
    return CompletableFuture.completedFuture(null);
  }

  private JobRunner runner(ImageProvider provider) {
    return new JobRunner(new ProviderRegistry(List.of(provider)),
        new ArtifactReader(ArtifactReaderTest.LOCAL_TEST_SERVERS, Duration.ofSeconds(5), 1 << 20), new ArtifactStager(store),
        events, new EventMetadataFactory("generation", Clock.systemUTC()), work, Duration.ofSeconds(5),
        new RetryPolicy(0, Duration.ZERO, 2, Duration.ZERO, 0, Duration.ZERO),
        new ProviderRateLimiter(Map.of(), System::nanoTime, work), new GenerationMetrics(new SimpleMeterRegistry()),
        new EndedRuns(Duration.ofDays(7), Clock.systemUTC()), JobTracing.disabled(),
        new ReferenceLoader(store, new ModelCatalogue(new ModelSettings(Map.of())), work, 1 << 20),
        new VariantCount(new ModelCatalogue(new ModelSettings(Map.of()))));
  }

  private ConsumerRecord<byte[], byte[]> record(SpecificRecord event) {
    return topic.of(event);
  }

  private ConsumerRecord<byte[], byte[]> raw(String key, EventType declaredType, byte[] value) {
    return topic.raw(key, declaredType, value);
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
