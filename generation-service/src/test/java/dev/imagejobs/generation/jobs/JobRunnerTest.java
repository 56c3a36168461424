package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.generation.testing.InMemoryBlobStore;
import dev.imagejobs.generation.testing.RecordingPublisher;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobRunnerTest {
  private static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(5);

  private final ExecutorService work = Executors.newFixedThreadPool(2);
  private final InMemoryBlobStore store = new InMemoryBlobStore();
  private final RecordingPublisher events = new RecordingPublisher();
  private final LocalImageProvider local =
      new LocalImageProvider(new LocalProviderSettings("#fail", Duration.ZERO, 0, 128));
  private final CountingProvider provider = new CountingProvider(LocalImageProvider.NAME, local);

  @AfterEach
  void stopWorkers() {
    work.shutdownNow();
  }

  @Test
  void givenAJobRequest_whenRun_thenTheStartTheAttemptAndTheStagedImageAreAnnounced() throws Exception {
    JobRequested requested = Events.aJobRequested("job-1");

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(events.typesOf("job-1"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(events.eventsOf("job-1").get(0).metadata().getAttempt()).isZero();
    GenerationStarted started = events.eventsOf("job-1").get(1).payload(GenerationStarted.class);
    assertThat(started.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(started.getProvider()).isEqualTo("local");
    assertThat(started.getModel()).isEqualTo("local-v1");
    ImageGenerated generated = events.last("job-1", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(generated.getMetadata().getProducer()).isEqualTo("generation");
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-1/attempt-1.png");
    byte[] staged = store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content();
    assertThat(generated.getSha256()).isEqualTo(ArtifactStager.sha256(staged));
    assertThat(generated.getSizeBytes()).isEqualTo(staged.length);
    assertThat(generated.getContentType()).isEqualTo("image/png");
    assertThat(generated.getWidth()).isEqualTo(128);
    assertThat(generated.getHeight()).isEqualTo(72);
    assertThat(generated.getSpec()).isEqualTo(requested.getSpec());
    assertThat(generated.getProvider()).isEqualTo("local");
    assertThat(generated.getModel()).isEqualTo("local-v1");
  }

  @Test
  void givenAProviderFailure_whenRun_thenTheJobFailsAtStageGeneratingWithTheProvidersClassification()
      throws Exception {
    JobRequested requested = Events.aJobRequested("job-2");
    requested.getSpec().setPrompt("Thunder #fail");

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(events.typesOf("job-2"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.last("job-2", JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo("LOCAL_FAIL_MARKER");
    assertThat(failed.getMessage()).contains("#fail");
    assertThat(failed.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(store.contents()).isEmpty();
  }

  @Test
  void givenARedeliveredRequest_whenRunAgain_thenTheStagedImageIsReusedUnderTheSameEventIds() throws Exception {
    JobRequested requested = Events.aJobRequested("job-3");
    JobRunner runner = runner(provider);
    runToTheEnd(runner, JobRun.of(requested));
    List<String> firstIds = events.eventIdsOf("job-3");
    ImageGenerated first = events.last("job-3", ImageGenerated.class);

    runToTheEnd(runner, JobRun.of(requested));

    assertThat(provider.callsFor("job-3")).isEqualTo(1);
    assertThat(events.eventIdsOf("job-3")).hasSize(6).endsWith(firstIds.toArray(String[]::new));
    ImageGenerated again = events.last("job-3", ImageGenerated.class);
    assertThat(again.getStagedRef()).isEqualTo(first.getStagedRef());
    assertThat(again.getSha256()).isEqualTo(first.getSha256());
  }

  @Test
  void givenAnImageStagedBeforeACrash_whenTheRequestIsDelivered_thenTheProviderIsNotCalled() throws Exception {
    byte[] earlier = png("An earlier picture", "1:1");
    store.putIfAbsent(BlobPath.of("staging", "job-4", "attempt-1.png"), earlier,
        new BlobMetadata("image/png", "private, no-store", Map.of()));

    runToTheEnd(runner(provider), JobRun.of(Events.aJobRequested("job-4")));

    assertThat(provider.callsFor("job-4")).isZero();
    ImageGenerated generated = events.last("job-4", ImageGenerated.class);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-4/attempt-1.png");
    assertThat(generated.getSha256()).isEqualTo(ArtifactStager.sha256(earlier));
    assertThat(generated.getWidth()).isEqualTo(128);
    assertThat(generated.getHeight()).isEqualTo(128);
  }

  @Test
  void givenAManualRetry_whenRun_thenItStartsAtAttemptOneAndStagesApartFromTheEarlierRun() throws Exception {
    JobRequested requested = Events.aJobRequested("job-5");
    JobRunner runner = runner(provider);
    runToTheEnd(runner, JobRun.of(requested));
    JobRetryRequested retry = JobRetryRequested.newBuilder()
        .setMetadata(Events.metadata("job-5", "gateway", 0))
        .setSpec(requested.getSpec())
        .setRetryCount(2)
        .build();

    runToTheEnd(runner, JobRun.of(retry));

    assertThat(provider.callsFor("job-5")).isEqualTo(2);
    assertThat(events.typesOf("job-5")).containsExactly(
        EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED,
        EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = events.last("job-5", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-5/retry-2/attempt-1.png");
    assertThat(events.eventIdsOf("job-5")).doesNotHaveDuplicates();
    assertThat(store.get(new BlobPath(generated.getStagedRef())).orElseThrow().metadata().custom())
        .containsEntry("retryCount", "2").containsEntry("attempt", "1");
  }

  @Test
  void givenAnUnknownProvider_whenRun_thenTheJobFailsPermanentlyNamingTheConfiguredOnes() throws Exception {
    JobRequested requested = Events.aJobRequested("job-6");
    requested.getSpec().setProvider("imaginary");

    runToTheEnd(runner(provider), JobRun.of(requested));

    JobFailed failed = events.last("job-6", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo("UNKNOWN_PROVIDER");
    assertThat(failed.getMessage()).contains("'imaginary'").contains("local");
  }

  @Test
  void givenAProviderThatNeverAnswers_whenTheTimeoutPasses_thenTheJobFailsWithTimeout() throws Exception {
    ImageProvider silent = new ImageProvider() {
      @Override
      public String name() {
        return "local";
      }

      @Override
      public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
        return new CompletableFuture<>();
      }
    };
    JobRunner runner = new JobRunner(new ProviderRegistry(List.of(silent)), reader(), new ArtifactStager(store),
        events, metadata(), work, Duration.ofMillis(200));

    runToTheEnd(runner, JobRun.of(Events.aJobRequested("job-7")));

    JobFailed failed = events.last("job-7", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("TIMEOUT");
    assertThat(failed.getErrorCode()).isEqualTo("PROVIDER_TIMEOUT");
    assertThat(failed.getFailureStage()).isEqualTo("generating");
  }

  @Test
  void givenAStoreThatCannotBeWritten_whenTheImageIsGenerated_thenTheJobFailsTemporarilyInsteadOfBeingRedelivered()
      throws Exception {
    store.failWrites();

    runToTheEnd(runner(provider), JobRun.of(Events.aJobRequested("job-8")));

    JobFailed failed = events.last("job-8", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("TEMPORARY");
    assertThat(failed.getErrorCode()).isEqualTo("STAGING_FAILED");
    assertThat(failed.getMessage()).contains("No space left on device");
  }

  @Test
  void givenAProviderAnsweringWithBase64_whenRunTwice_thenTheDecodedBytesAreStagedAndTheCostAnnouncedUnderOneId()
      throws Exception {
    byte[] png = png("A blue kite", "16:9");
    ImageProvider base64 = new ImageProvider() {
      @Override
      public String name() {
        return "local";
      }

      @Override
      public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
        return CompletableFuture.completedFuture(new ImageArtifact.Base64(Base64.getEncoder().encodeToString(png),
            "image/png", "Here is your kite.", new ProviderUsage(12, 0, 40, 1290, 39_000)));
      }
    };

    CountingProvider counting = new CountingProvider("local", base64);
    JobRequested requested = Events.aJobRequested("job-9");
    JobRunner runner = runner(counting);

    runToTheEnd(runner, JobRun.of(requested));
    ImageGenerated generated = events.last("job-9", ImageGenerated.class);
    runToTheEnd(runner, JobRun.of(requested));

    assertThat(store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content()).isEqualTo(png);
    assertThat(generated.getActualCostMicros()).isEqualTo(39_000);
    assertThat(generated.getProviderNotes()).isEqualTo("Here is your kite.");
    // The first announcement may have been lost with the crash: the repeat carries the cost under the same id.
    ImageGenerated repeated = events.last("job-9", ImageGenerated.class);
    assertThat(counting.callsFor("job-9")).isEqualTo(1);
    assertThat(repeated.getActualCostMicros()).isEqualTo(39_000);
    assertThat(repeated.getMetadata().getEventId()).isEqualTo(generated.getMetadata().getEventId());
  }

  @Test
  void givenTheBrokerIsUnreachable_whenTheRunStarts_thenItFailsForRedeliveryWithoutCallingTheProvider() {
    events.refuseEventsOf("job-10");

    CompletableFuture<Void> outcome = runner(provider).run(JobRun.of(Events.aJobRequested("job-10")));

    assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(EventPublishingException.class);
    assertThat(provider.callsFor("job-10")).isZero();
  }

  @Test
  void givenAProviderThatBreaksItsContract_whenRun_thenTheJobFailsAsUnknown() throws Exception {
    ImageProvider broken = new ImageProvider() {
      @Override
      public String name() {
        return "local";
      }

      @Override
      public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
        throw new IllegalStateException("connection pool closed");
      }
    };

    runToTheEnd(runner(broken), JobRun.of(Events.aJobRequested("job-11")));

    JobFailed failed = events.last("job-11", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo(ErrorClass.UNKNOWN.name());
    assertThat(failed.getMessage()).contains("connection pool closed");
  }

  @Test
  void styleTextIsAppendedToThePrompt() {
    JobRequested requested = Events.aJobRequested("job-12");
    requested.getSpec().setStyleText("charcoal sketch");

    assertThat(JobRunner.promptOf(requested.getSpec()))
        .startsWith(requested.getSpec().getPrompt())
        .endsWith("Style: charcoal sketch");
  }

  private JobRunner runner(ImageProvider... providers) {
    return new JobRunner(new ProviderRegistry(List.of(providers)), reader(), new ArtifactStager(store), events,
        metadata(), work, PROVIDER_TIMEOUT);
  }

  private static ArtifactReader reader() {
    return new ArtifactReader(HttpClient.newHttpClient(), Duration.ofSeconds(5), 1 << 20);
  }

  private static EventMetadataFactory metadata() {
    return new EventMetadataFactory("generation", Clock.systemUTC());
  }

  private static void runToTheEnd(JobRunner runner, JobRun run) throws Exception {
    runner.run(run).get(10, TimeUnit.SECONDS);
  }

  private byte[] png(String prompt, String aspectRatio) throws Exception {
    GenerationRequest request = new GenerationRequest("any", 1, prompt, aspectRatio, "1K", "local-v1");
    return ((ImageArtifact.Bytes) local.generate(request).get(5, TimeUnit.SECONDS)).content();
  }
}
