package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.generation.testing.CountingProvider;
import dev.imagejobs.generation.testing.InMemoryBlobStore;
import dev.imagejobs.generation.testing.RecordingPublisher;
import dev.imagejobs.generation.testing.ReferenceImages;
import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.messaging.ModelSettings;
import dev.imagejobs.messaging.testing.HoldingPublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.ImageVariant;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.schemas.avro.RunEnded;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.StagingArea;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.imageio.ImageIO;
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
  private final EndedRuns endedRuns = new EndedRuns(Duration.ofDays(7), Clock.systemUTC());
  /** What runners made by {@link #runner} load reference images with; a test may replace it first. */
  private ReferenceLoader references = referenceLoader(Map.of());
  /** What runners made by {@link #runner} check the variants a job asks for with; a test may replace it first. */
  private VariantCount variantCount = new VariantCount(catalogue(Map.of()));

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
    assertThat(generated.getVariants()).as("a job of one image lists no variants").isEmpty();
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
    // GenerationStarted of that attempt got out before the call; JobStarted and ImageGenerated repeat under their ids.
    assertThat(events.eventIdsOf("job-3")).hasSize(5).endsWith(firstIds.get(0), firstIds.get(2));
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
    JobRunner runner = runner(Duration.ofMillis(200), NO_RETRIES, silent);

    runToTheEnd(runner, JobRun.of(Events.aJobRequested("job-7")));

    JobFailed failed = events.last("job-7", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("TIMEOUT");
    assertThat(failed.getErrorCode()).isEqualTo("PROVIDER_TIMEOUT");
    assertThat(failed.getFailureStage()).isEqualTo("generating");
  }

  @Test
  void givenAStoreThatFailsForAWhile_whenTheImageIsGenerated_thenItIsStagedOnceTheStoreIsBackAndPaidOnce()
      throws Exception {
    store.failWrites(3);

    runToTheEnd(runner(provider), JobRun.of(Events.aJobRequested("job-8")));

    ImageGenerated generated = events.last("job-8", ImageGenerated.class);
    assertThat(store.get(new BlobPath(generated.getStagedRef()))).isPresent();
    assertThat(provider.callsFor("job-8")).isEqualTo(1);
    assertThat(events.typesOf("job-8")).doesNotContain(EventType.JOB_FAILED);
  }

  @Test
  void givenAStoreThatStaysDown_whenTheRunEndsElsewhere_thenTheWaitStopsSilently() throws Exception {
    store.failWrites();
    JobRunner runner = runner(provider);

    CompletableFuture<?> running = runner.run(JobRun.of(Events.aJobRequested("job-45")));
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.callsFor("job-45") == 1);
    endedRuns.record(ended("job-45", 0));
    running.get(10, TimeUnit.SECONDS);

    assertThat(provider.callsFor("job-45")).isEqualTo(1);
    assertThat(events.typesOf("job-45")).containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED);
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
  void givenItsFirstEventsAreNotYetAcknowledged_whenRun_thenTheImageIsAnnouncedAndTheRunEndsOnlyOnceAllAre() {
    HoldingPublisher broker = new HoldingPublisher(EventType.JOB_STARTED, EventType.GENERATION_STARTED);

    CompletableFuture<Void> outcome = runner(broker, provider).run(JobRun.of(Events.aJobRequested("job-30")));

    // Nothing waited for JobStarted or GenerationStarted: the image was paid for, staged and announced.
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.sentTypes().contains(EventType.IMAGE_GENERATED));
    assertThat(broker.sentTypes())
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(provider.callsFor("job-30")).isEqualTo(1);
    assertThat(outcome).isNotDone();
    broker.acknowledge(EventType.GENERATION_STARTED);
    assertThat(outcome).isNotDone();

    broker.acknowledge(EventType.JOB_STARTED);

    assertThat(outcome).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void givenAnEarlierEventThatFailsAfterTheImageWasAnnounced_whenTheRunEnds_thenItFailsSoTheRequestIsDeliveredAgain() {
    HoldingPublisher broker = new HoldingPublisher(EventType.JOB_STARTED);
    CompletableFuture<Void> outcome = runner(broker, provider).run(JobRun.of(Events.aJobRequested("job-31")));
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.sentTypes().contains(EventType.IMAGE_GENERATED));

    broker.fail(EventType.JOB_STARTED);

    assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(EventPublishingException.class);
    // Delivered again, the run announces the staged image instead of paying for another.
    assertThat(store.contents()).containsKey(BlobPath.of("staging", "job-31", "attempt-1.png"));
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

  @Test
  void givenTemporaryErrors_whenRun_thenEachAttemptIsAnnouncedRetriedWithBackoffThenTheJobFails() throws Exception {
    ImageProvider flaky = failing(new ProviderException(ErrorClass.TEMPORARY, "503", "The model is overloaded"));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, flaky), JobRun.of(Events.aJobRequested("job-20")));

    assertThat(events.typesOf("job-20")).containsExactly(EventType.JOB_STARTED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    List<GenerationAttemptFailed> retried = events.eventsOf("job-20").stream()
        .filter(e -> e.type() == EventType.GENERATION_ATTEMPT_FAILED)
        .map(e -> e.payload(GenerationAttemptFailed.class)).toList();
    // No jitter in FAST_RETRIES: 10 ms doubling, capped at 30 ms.
    assertThat(retried).extracting(GenerationAttemptFailed::getRetryDelayMillis).containsExactly(10L, 20L, 30L);
    assertThat(retried).extracting(f -> f.getMetadata().getAttempt()).containsExactly(1, 2, 3);
    assertThat(retried.get(0).getErrorClass()).isEqualTo("TEMPORARY");
    assertThat(retried.get(0).getErrorCode()).isEqualTo("503");
    JobFailed failed = events.last("job-20", JobFailed.class);
    assertThat(failed.getMetadata().getAttempt()).isEqualTo(4);
    assertThat(failed.getErrorClass()).isEqualTo("TEMPORARY");
    assertThat(failed.getMessage()).isEqualTo("The model is overloaded");
  }

  @Test
  void givenOneTemporaryError_whenRun_thenTheSecondAttemptsImageIsStagedAndAnnounced() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ImageProvider onceFlaky = provider(request -> calls.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new ProviderException(ErrorClass.TEMPORARY, "500", "Internal error"))
        : local.generate(request));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, onceFlaky), JobRun.of(Events.aJobRequested("job-21")));

    ImageGenerated generated = events.last("job-21", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(2);
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-21/attempt-2.png");
    assertThat(calls).hasValue(2);
  }

  @Test
  void givenAProviderNamingItsWait_whenRetried_thenThatWaitIsUsedInsteadOfTheBackoff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ImageProvider limited = provider(request -> calls.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new ProviderException(ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED",
            "Quota exceeded per minute", null, true, Duration.ofMillis(75)))
        : local.generate(request));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, limited), JobRun.of(Events.aJobRequested("job-22")));

    GenerationAttemptFailed retried = events.eventsOf("job-22").get(2).payload(GenerationAttemptFailed.class);
    assertThat(retried.getRetryDelayMillis()).isEqualTo(75);
    assertThat(retried.getErrorClass()).isEqualTo("RATE_LIMIT");
    assertThat(events.typesOf("job-22")).last().isEqualTo(EventType.IMAGE_GENERATED);
  }

  @Test
  void givenFailuresThatRetryingCannotFix_whenRun_thenTheJobFailsAfterOneAttempt() throws Exception {
    List<ProviderException> finalFailures = List.of(
        new ProviderException(ErrorClass.CONTENT_BLOCKED, "SAFETY", "Blocked by safety filters"),
        new ProviderException(ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", "Daily quota exhausted", null, false, null),
        new ProviderException(ErrorClass.AUTH_ERROR, "API_KEY_INVALID", "Bad key"),
        new ProviderException(ErrorClass.PERMANENT, "INVALID_ARGUMENT", "Bad request"),
        new ProviderException(ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", "Come back in an hour", null, true,
            Duration.ofHours(1)));
    for (int i = 0; i < finalFailures.size(); i++) {
      String jobId = "job-final-" + i;

      runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, failing(finalFailures.get(i))),
          JobRun.of(Events.aJobRequested(jobId)));

      assertThat(events.typesOf(jobId)).as(finalFailures.get(i).getMessage())
          .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
      assertThat(events.last(jobId, JobFailed.class).getErrorClass())
          .isEqualTo(finalFailures.get(i).errorClass().name());
    }
  }

  @Test
  void givenACancelRequestedBeforeTheRunStarts_whenRun_thenItEndsCanceledWithoutCallingTheProvider() throws Exception {
    JobRequested requested = Events.aJobRequested("job-23");
    runner(provider).cancel(cancelOf(requested));

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(events.typesOf("job-23")).containsExactly(EventType.JOB_CANCELED);
    assertThat(events.last("job-23", JobCanceled.class).getStage()).isEqualTo("queued");
    assertThat(provider.callsFor("job-23")).isZero();
  }

  @Test
  void givenACancelOfTheFirstRunThatCameTooLate_whenTheJobIsRetried_thenTheRetryIsGenerated() throws Exception {
    JobRequested requested = Events.aJobRequested("job-27");
    JobRunner runner = runner(provider);
    runner.cancel(cancelOf(requested)); // the first run failed before it saw this
    JobRetryRequested retry = JobRetryRequested.newBuilder()
        .setMetadata(Events.metadata("job-27", "gateway", 0)).setSpec(requested.getSpec()).setRetryCount(1).build();

    runToTheEnd(runner, JobRun.of(retry));

    assertThat(provider.callsFor("job-27")).isEqualTo(1);
    assertThat(events.typesOf("job-27")).endsWith(EventType.IMAGE_GENERATED);
  }

  @Test
  void givenACancelOfARetry_whenTheRetryRuns_thenItEndsCanceled() throws Exception {
    JobRequested requested = Events.aJobRequested("job-28");
    JobRetryRequested retry = JobRetryRequested.newBuilder()
        .setMetadata(Events.metadata("job-28", "gateway", 0)).setSpec(requested.getSpec()).setRetryCount(1).build();
    JobCancelRequested cancel = cancelOf(requested);
    cancel.getMetadata().setRun(1);
    JobRunner runner = runner(provider);
    runner.cancel(cancel);

    runToTheEnd(runner, JobRun.of(retry));

    assertThat(provider.callsFor("job-28")).isZero();
    assertThat(events.typesOf("job-28")).containsExactly(EventType.JOB_CANCELED);
  }

  @Test
  void givenACancelRequestedWhileTheProviderWorks_whenItAnswers_thenTheImageIsDiscardedAndTheJobCanceled()
      throws Exception {
    JobRequested requested = Events.aJobRequested("job-24");
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> called = new CompletableFuture<>();
    ImageProvider slow = provider(request -> {
      called.complete(null);
      return release.thenCompose(open -> local.generate(request));
    });
    JobRunner runner = runner(PROVIDER_TIMEOUT, FAST_RETRIES, slow);
    CompletableFuture<Void> outcome = runner.run(JobRun.of(requested));
    called.get(5, TimeUnit.SECONDS);

    runner.cancel(cancelOf(requested));
    release.complete(null);
    outcome.get(10, TimeUnit.SECONDS);

    assertThat(events.typesOf("job-24"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_CANCELED);
    assertThat(events.last("job-24", JobCanceled.class).getStage()).isEqualTo("generating");
    assertThat(store.contents().keySet()).extracting(BlobPath::value)
        .containsExactly("staging/job-24/cancel-requested");
  }

  @Test
  void givenACancelRequestedDuringTheRetryWait_whenTheWaitEnds_thenNoFurtherAttemptIsMade() throws Exception {
    JobRequested requested = Events.aJobRequested("job-25");
    AtomicInteger calls = new AtomicInteger();
    JobRunner[] runner = new JobRunner[1];
    ImageProvider failingOnce = provider(request -> {
      calls.incrementAndGet();
      runner[0].cancel(cancelOf(requested));
      return CompletableFuture.failedFuture(new ProviderException(ErrorClass.TEMPORARY, "503", "Overloaded"));
    });
    runner[0] = runner(PROVIDER_TIMEOUT, FAST_RETRIES, failingOnce);

    runToTheEnd(runner[0], JobRun.of(requested));

    assertThat(calls).hasValue(1);
    assertThat(events.typesOf("job-25")).containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED,
        EventType.JOB_CANCELED);
  }

  @Test
  void givenARunTheWatchdogFailedWhileItWaitedInABacklog_whenItsRequestArrives_thenNothingIsPaidOrAnnounced()
      throws Exception {
    JobRequested requested = Events.aJobRequested("job-40");
    endedRuns.record(ended("job-40", 0));

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(provider.callsFor("job-40")).isZero();
    assertThat(events.typesOf("job-40")).isEmpty();
    assertThat(store.contents()).isEmpty();
  }

  @Test
  void givenARetryOfAnEndedRun_whenRun_thenTheNewRunIsGenerated() throws Exception {
    endedRuns.record(ended("job-41", 0));
    JobRetryRequested retry = JobRetryRequested.newBuilder()
        .setMetadata(Events.metadata("job-41", "gateway", 0)).setSpec(Events.anAssetKeySpec().build()).setRetryCount(1)
        .build();

    runToTheEnd(runner(provider), JobRun.of(retry));

    assertThat(provider.callsFor("job-41")).isEqualTo(1);
    assertThat(events.typesOf("job-41")).endsWith(EventType.IMAGE_GENERATED);
    assertThat(events.eventsOf("job-41")).as("a request written before runs were recorded still names its run")
        .allSatisfy(event -> assertThat(event.metadata().getRun()).isEqualTo(1));
  }

  @Test
  void givenARequestOlderThanTheEndedRunsRetention_whenDelivered_thenItIsHistoryAndNotRun() throws Exception {
    JobRequested replayed = Events.aJobRequested("job-42");
    replayed.getMetadata().setOccurredAt(Instant.now().minus(Duration.ofDays(8)));

    runToTheEnd(runner(provider), JobRun.of(replayed));

    assertThat(provider.callsFor("job-42")).isZero();
    assertThat(events.typesOf("job-42")).isEmpty();
  }

  @Test
  void givenARunThatEndsWhileTheProviderWorks_whenItAnswers_thenTheImageIsDiscardedAndNothingAnnounced()
      throws Exception {
    JobRequested requested = Events.aJobRequested("job-43");
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> called = new CompletableFuture<>();
    ImageProvider slow = provider(request -> {
      called.complete(null);
      return release.thenCompose(open -> local.generate(request));
    });
    CompletableFuture<Void> outcome = runner(slow).run(JobRun.of(requested));
    called.get(5, TimeUnit.SECONDS);

    endedRuns.record(ended("job-43", 0));
    release.complete(null);
    outcome.get(10, TimeUnit.SECONDS);

    assertThat(events.typesOf("job-43")).containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED);
    assertThat(store.contents()).as("the staged image is discarded").isEmpty();
  }

  @Test
  void givenARunThatEndsDuringTheRetryWait_whenTheWaitEnds_thenNoFurtherAttemptIsPaid() throws Exception {
    JobRequested requested = Events.aJobRequested("job-44");
    AtomicInteger calls = new AtomicInteger();
    ImageProvider failingOnce = provider(request -> {
      calls.incrementAndGet();
      endedRuns.record(ended("job-44", 0));
      return CompletableFuture.failedFuture(new ProviderException(ErrorClass.TEMPORARY, "503", "Overloaded"));
    });

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, failingOnce), JobRun.of(requested));

    assertThat(calls).hasValue(1);
    assertThat(events.typesOf("job-44")).containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED);
  }

  @Test
  void givenAnImageTheUploadServiceAlreadyStored_whenTheRequestIsDeliveredAgain_thenNothingIsPaidOrAnnounced()
      throws Exception {
    JobRequested requested = Events.aJobRequested("job-26");
    StagingArea.markStored(store, BlobPath.of("staging", "job-26", "attempt-1.png"), "job-26");

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(events.typesOf("job-26")).containsExactly(EventType.JOB_STARTED);
    assertThat(provider.callsFor("job-26")).isZero();
  }

  @Test
  void givenAModelTakingFewerReferencesThanTheJobNames_whenRun_thenTheJobFailsPermanentBeforeAnyProviderCall()
      throws Exception {
    references = referenceLoader(Map.of("local-v1", new ModelCatalogue.ModelCapabilities(1, null, null, false, 1)));
    JobRequested requested = Events.aJobRequested("job-50");
    requested.getSpec().setReferences(List.of(
        ReferenceImages.stored(store, "ref-red", ReferenceImages.solidPng(8, 8, Color.RED), "image/png"),
        ReferenceImages.stored(store, "ref-blue", ReferenceImages.solidPng(8, 8, Color.BLUE), "image/png")));

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(provider.callsFor("job-50")).isZero();
    assertThat(events.typesOf("job-50")).containsExactly(EventType.JOB_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.last("job-50", JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo(ReferenceLoader.REFUSED);
    assertThat(failed.getMessage())
        .isEqualTo("reference images: model local-v1 takes at most 1 reference images, not 2");
    assertThat(store.list(StagingArea.folder("job-50"))).as("nothing generated, nothing paid").isEmpty();
  }

  @Test
  void givenReferences_whenRun_thenTheProviderGetsThemInOrderAndTheyAreReleasedAfterTheCall() throws Exception {
    byte[] red = ReferenceImages.solidPng(8, 8, Color.RED);
    byte[] blue = ReferenceImages.solidPng(8, 8, Color.BLUE);
    JobRequested requested = Events.aJobRequested("job-51");
    requested.getSpec().setReferences(List.of(ReferenceImages.stored(store, "ref-red", red, "image/png"),
        ReferenceImages.stored(store, "ref-blue", blue, "image/png")));
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    ImageProvider recording = provider(request -> {
      calls.add(request);
      return local.generate(request);
    });

    runToTheEnd(runner(recording), JobRun.of(requested));

    assertThat(calls).singleElement().satisfies(call -> {
      assertThat(call.references()).extracting(ReferenceInput::contentType).containsExactly("image/png", "image/png");
      assertThat(call.references()).extracting(ReferenceInput::content).containsExactly(red, blue);
    });
    assertThat(references.available()).as("released once the call ended").isEqualTo(REFERENCE_BUDGET);
    ImageGenerated generated = events.last("job-51", ImageGenerated.class);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(
        store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content()));
    assertThat(image.getRGB(10, 10)).as("the local provider drew the first reference first").isEqualTo(Color.RED.getRGB());
  }

  @Test
  void givenADeletedReference_whenRun_thenTheJobFailsPermanentWithoutAProviderCall() throws Exception {
    JobRequested requested = Events.aJobRequested("job-52");
    requested.getSpec().setReferences(List.of(ReferenceImages.aReference("ref-gone",
        "tenant_tenant-a/project_project-1/references/ref-gone.png", ReferenceImages.solidPng(8, 8, Color.RED),
        "image/png")));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, provider), JobRun.of(requested));

    assertThat(provider.callsFor("job-52")).isZero();
    assertThat(events.typesOf("job-52"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.last("job-52", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo(ReferenceLoader.MISSING);
    assertThat(failed.getMessage()).isEqualTo("reference image 1 (upload ref-gone) no longer exists (deleted?)");
    assertThat(references.available()).isEqualTo(REFERENCE_BUDGET);
  }

  @Test
  void givenReferencesAndAProviderThatFailsOrNeverAnswers_whenTheRunEnds_thenEveryAttemptReleasedThem()
      throws Exception {
    ReferenceImage reference =
        ReferenceImages.stored(store, "ref-red", ReferenceImages.solidPng(8, 8, Color.RED), "image/png");
    JobRequested flakyJob = Events.aJobRequested("job-53");
    flakyJob.getSpec().setReferences(List.of(reference));
    JobRequested silentJob = Events.aJobRequested("job-54");
    silentJob.getSpec().setReferences(List.of(reference));
    CountingProvider flaky = new CountingProvider(LocalImageProvider.NAME,
        failing(new ProviderException(ErrorClass.TEMPORARY, "503", "The model is overloaded")));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, flaky), JobRun.of(flakyJob));
    runToTheEnd(runner(Duration.ofMillis(200), NO_RETRIES, provider(request -> new CompletableFuture<>())),
        JobRun.of(silentJob));

    assertThat(flaky.callsFor("job-53")).isEqualTo(4);
    assertThat(events.last("job-53", JobFailed.class).getErrorClass()).isEqualTo("TEMPORARY");
    assertThat(events.last("job-54", JobFailed.class).getErrorClass()).isEqualTo("TIMEOUT");
    assertThat(references.available()).isEqualTo(REFERENCE_BUDGET);
    assertThat(references.waiting()).isZero();
  }

  @Test
  void givenAnEditForAModelThatDoesNotEdit_whenRun_thenItFailsPermanentBeforeAnyProviderCall() throws Exception {
    references = referenceLoader(Map.of("local-v1", new ModelCatalogue.ModelCapabilities(14, null, null, false, 1)));
    JobRequested requested = anEditRequest("job-60", ReferenceImages.storedEdit(store, "edit-60",
        ReferenceImages.solidPng(32, 18, Color.RED), "image/png", null));

    runToTheEnd(runner(provider), JobRun.of(requested));

    assertThat(provider.callsFor("job-60")).isZero();
    assertThat(events.typesOf("job-60")).containsExactly(EventType.JOB_STARTED, EventType.JOB_FAILED);
    JobFailed failed = events.last("job-60", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo(ReferenceLoader.EDIT_UNSUPPORTED);
    assertThat(failed.getMessage()).isEqualTo("edit: model local-v1 does not edit images");
  }

  @Test
  void givenAnEditWhoseMaskDoesNotFitTheSourceOrHasNoAlpha_whenRun_thenItFailsPermanentWithoutAProviderCall()
      throws Exception {
    byte[] source = ReferenceImages.solidPng(64, 36, Color.RED);
    JobRequested wrongSize = anEditRequest("job-61", ReferenceImages.storedEdit(store, "edit-61", source,
        "image/png", ReferenceImages.mask(32, 32, new Rectangle(0, 0, 8, 8))));
    JobRequested opaque = anEditRequest("job-62", ReferenceImages.storedEdit(store, "edit-62", source, "image/png",
        ReferenceImages.solidPng(64, 36, Color.WHITE)));
    JobRunner runner = runner(PROVIDER_TIMEOUT, FAST_RETRIES, provider);

    runToTheEnd(runner, JobRun.of(wrongSize));
    runToTheEnd(runner, JobRun.of(opaque));

    assertThat(provider.callsFor("job-61") + provider.callsFor("job-62")).isZero();
    for (String jobId : List.of("job-61", "job-62")) {
      assertThat(events.typesOf(jobId))
          .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_FAILED);
      assertThat(events.last(jobId, JobFailed.class).getErrorCode()).isEqualTo(EditCompositor.MASK_INVALID);
    }
    assertThat(events.last("job-61", JobFailed.class).getMessage()).isEqualTo("mask is 32x32, the source image is 64x36");
    assertThat(events.last("job-62", JobFailed.class).getMessage()).startsWith("mask has no alpha channel");
    assertThat(references.available()).isEqualTo(REFERENCE_BUDGET);
  }

  @Test
  void givenAnEditWithAMask_whenRun_thenThePngStagedHasTheSourcesSizeAndOutsideTheMaskItsPixels() throws Exception {
    BufferedImage sourceImage = ReferenceImages.noise(100, 60, 60);
    byte[] source = ReferenceImages.encode(sourceImage, "png");
    byte[] blue = ReferenceImages.solidJpeg(8, 8, Color.BLUE);
    Rectangle region = new Rectangle(10, 10, 40, 30);
    JobRequested requested = anEditRequest("job-63", ReferenceImages.storedEdit(store, "edit-63", source, "image/png",
        ReferenceImages.mask(100, 60, region)), ReferenceImages.stored(store, "ref-blue", blue, "image/jpeg"));
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    CountingProvider recording = new CountingProvider(LocalImageProvider.NAME, provider(request -> {
      calls.add(request);
      return local.generate(request);
    }));
    JobRunner runner = runner(recording);

    runToTheEnd(runner, JobRun.of(requested));

    assertThat(calls).singleElement().satisfies(call -> {
      assertThat(call.references()).extracting(ReferenceInput::content).containsExactly(source, blue);
      assertThat(call.edit().source()).isSameAs(call.references().get(0));
      assertThat(call.edit().hasMask()).isTrue();
      assertThat(call.prompt()).isEqualTo(requested.getSpec().getPrompt());
    });
    ImageGenerated generated = events.last("job-63", ImageGenerated.class);
    assertThat(generated.getContentType()).isEqualTo("image/png");
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-63/attempt-1.png");
    assertThat(generated.getWidth()).isEqualTo(100);
    assertThat(generated.getHeight()).isEqualTo(60);
    byte[] staged = store.get(new BlobPath(generated.getStagedRef())).orElseThrow().content();
    assertThat(generated.getSha256()).isEqualTo(ArtifactStager.sha256(staged));
    BufferedImage result = ReferenceImages.decode(staged);
    assertThat(result.getWidth()).isEqualTo(100);
    assertThat(result.getHeight()).isEqualTo(60);
    int changed = 0;
    for (int y = 0; y < 60; y++) {
      for (int x = 0; x < 100; x++) {
        if (!region.contains(x, y)) {
          assertThat(result.getRGB(x, y)).as("(%d, %d), outside the mask", x, y).isEqualTo(sourceImage.getRGB(x, y));
        } else if (result.getRGB(x, y) != sourceImage.getRGB(x, y)) {
          changed++;
        }
      }
    }
    assertThat(changed).as("pixels the local provider painted inside the mask").isGreaterThan(region.width * region.height / 2);
    assertThat(references.available()).as("released once the composite was done").isEqualTo(REFERENCE_BUDGET);

    runToTheEnd(runner, JobRun.of(requested));

    assertThat(recording.callsFor("job-63")).as("delivered again: the staged composite is announced").isEqualTo(1);
    assertThat(events.last("job-63", ImageGenerated.class).getSha256()).isEqualTo(generated.getSha256());
  }

  @Test
  void givenAnEditWhoseGeneratedImageDoesNotDecode_whenRun_thenItFailsPermanentSayingWhatTheCallCost()
      throws Exception {
    JobRequested requested = anEditRequest("job-64", ReferenceImages.storedEdit(store, "edit-64",
        ReferenceImages.solidPng(64, 36, Color.RED), "image/png", ReferenceImages.mask(64, 36, new Rectangle(4, 4))));
    CountingProvider garbage = new CountingProvider(LocalImageProvider.NAME, provider(request ->
        CompletableFuture.completedFuture(new ImageArtifact.Bytes(new byte[] {1, 2, 3}, "image/png", null,
            new ProviderUsage(12, 0, 0, 1290, 39_000)))));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, garbage), JobRun.of(requested));

    assertThat(garbage.callsFor("job-64")).as("not retried: the call was paid").isEqualTo(1);
    JobFailed failed = events.last("job-64", JobFailed.class);
    assertThat(failed.getErrorClass()).isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo(EditCompositor.UNREADABLE_RESULT);
    assertThat(failed.getMessage()).contains("cannot be decoded").endsWith("(the provider's call cost 39000 micro-USD)");
    assertThat(store.list(StagingArea.folder("job-64"))).isEmpty();
    assertThat(references.available()).isEqualTo(REFERENCE_BUDGET);
  }

  @Test
  void givenThreeVariants_whenRun_thenEachIsCalledAtOnceStagedApartAndListedInOneAnnouncementWithTheSumOfTheirCosts()
      throws Exception {
    JobRequested requested = aVariantsRequest("job-70", 3);
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> allCalled = new CompletableFuture<>();
    // No call answers before all three were made: calls made one after another would never end.
    ImageProvider together = provider(request -> {
      calls.add(request);
      if (calls.size() == 3) {
        allCalled.complete(null);
      }
      return allCalled.thenCompose(all -> local.generate(request))
          .thenApply(artifact -> costing(artifact, 1_000L * request.variant(), "variant " + request.variant()));
    });

    runToTheEnd(runner(together), JobRun.of(requested));

    assertThat(calls).extracting(GenerationRequest::variant).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(calls).extracting(GenerationRequest::attempt).containsOnly(1);
    assertThat(events.typesOf("job-70"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = events.last("job-70", ImageGenerated.class);
    assertThat(generated.getVariants()).extracting(ImageVariant::getVariant).containsExactly(1, 2, 3);
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath).containsExactly(
        "staging/job-70/attempt-1.png", "staging/job-70/attempt-1-variant-2.png", "staging/job-70/attempt-1-variant-3.png");
    assertThat(generated.getVariants()).extracting(ImageVariant::getActualCostMicros)
        .containsExactly(1_000L, 2_000L, 3_000L);
    assertThat(generated.getActualCostMicros()).isEqualTo(6_000);
    for (ImageVariant variant : generated.getVariants()) {
      Blob staged = store.get(new BlobPath(variant.getPath())).orElseThrow();
      assertThat(variant.getSha256()).isEqualTo(ArtifactStager.sha256(staged.content()));
      assertThat(variant.getSizeBytes()).isEqualTo(staged.content().length);
      assertThat(variant.getContentType()).isEqualTo("image/png");
      assertThat(variant.getWidth()).isEqualTo(128);
      assertThat(variant.getHeight()).isEqualTo(72);
      assertThat(variant.getErrorClass()).isNull();
      assertThat(staged.metadata().custom()).as("the sidecar keeps each variant's cost")
          .containsEntry(ArtifactStager.COST_MICROS, Long.toString(variant.getActualCostMicros()));
    }
    assertThat(generated.getStagedRef()).isEqualTo("staging/job-70/attempt-1.png");
    assertThat(generated.getSha256()).isEqualTo(generated.getVariants().get(0).getSha256());
    assertThat(generated.getProviderNotes()).isEqualTo("variant 1");
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(1);
  }

  @Test
  void givenAVariantThatFailsForGood_whenRun_thenTheOthersAreAnnouncedBesideItsFailureAndTheFirstGeneratedLeads()
      throws Exception {
    JobRequested requested = aVariantsRequest("job-71", 3);
    CountingProvider blocking = new CountingProvider(LocalImageProvider.NAME, provider(request -> request.variant() == 1
        ? CompletableFuture.failedFuture(
            new ProviderException(ErrorClass.CONTENT_BLOCKED, "IMAGE_SAFETY", "Blocked by safety filters"))
        : local.generate(request).thenApply(artifact -> costing(artifact, 39_000, null))));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, blocking), JobRun.of(requested));

    assertThat(blocking.callsFor("job-71")).as("a failure retrying cannot fix is not retried").isEqualTo(3);
    assertThat(events.typesOf("job-71"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    ImageGenerated generated = events.last("job-71", ImageGenerated.class);
    ImageVariant failed = generated.getVariants().get(0);
    assertThat(failed.getVariant()).isEqualTo(1);
    assertThat(failed.getPath()).isNull();
    assertThat(failed.getSha256()).isNull();
    assertThat(failed.getErrorClass()).isEqualTo("CONTENT_BLOCKED");
    assertThat(failed.getErrorCode()).isEqualTo("IMAGE_SAFETY");
    assertThat(failed.getMessage()).isEqualTo("Blocked by safety filters");
    assertThat(failed.getActualCostMicros()).isZero();
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath)
        .containsExactly(null, "staging/job-71/attempt-1-variant-2.png", "staging/job-71/attempt-1-variant-3.png");
    assertThat(generated.getStagedRef()).as("the first generated variant")
        .isEqualTo(generated.getVariants().get(1).getPath());
    assertThat(generated.getActualCostMicros()).isEqualTo(78_000);
  }

  @Test
  void givenAVariantFailingTemporarilyOnce_whenRun_thenOneAttemptFailedIsSentAndTheNextAttemptCallsOnlyIt()
      throws Exception {
    JobRequested requested = aVariantsRequest("job-72", 3);
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    ImageProvider onceFlaky = provider(request -> {
      calls.add(request);
      return request.variant() == 2 && request.attempt() == 1
          ? CompletableFuture.failedFuture(new ProviderException(ErrorClass.TEMPORARY, "503", "The model is overloaded"))
          : local.generate(request);
    });

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, onceFlaky), JobRun.of(requested));

    assertThat(events.typesOf("job-72")).containsExactly(EventType.JOB_STARTED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.IMAGE_GENERATED);
    assertThat(events.eventIdsOf("job-72")).doesNotHaveDuplicates();
    GenerationAttemptFailed retried = events.eventsOf("job-72").get(2).payload(GenerationAttemptFailed.class);
    assertThat(retried.getMetadata().getAttempt()).isEqualTo(1);
    assertThat(retried.getErrorClass()).isEqualTo("TEMPORARY");
    assertThat(retried.getErrorCode()).isEqualTo("503");
    assertThat(retried.getMessage()).isEqualTo("variant 2: TEMPORARY 503 The model is overloaded");
    assertThat(retried.getRetryDelayMillis()).isEqualTo(10);
    assertThat(calls.stream().filter(call -> call.attempt() == 1)).extracting(GenerationRequest::variant)
        .containsExactlyInAnyOrder(1, 2, 3);
    assertThat(calls.stream().filter(call -> call.attempt() == 2)).extracting(GenerationRequest::variant)
        .containsExactly(2);
    assertThat(calls).hasSize(4);
    ImageGenerated generated = events.last("job-72", ImageGenerated.class);
    assertThat(generated.getMetadata().getAttempt()).isEqualTo(2);
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath).containsExactly("staging/job-72/attempt-1.png",
        "staging/job-72/attempt-2-variant-2.png", "staging/job-72/attempt-1-variant-3.png");
    assertThat(generated.getVariants()).extracting(ImageVariant::getErrorClass).containsOnlyNulls();
  }

  @Test
  void givenEveryVariantFailing_whenRetriesAreExhausted_thenTheJobFailsListingEachVariantsFailure() throws Exception {
    JobRequested requested = aVariantsRequest("job-73", 3);
    CountingProvider failing = new CountingProvider(LocalImageProvider.NAME, provider(request ->
        CompletableFuture.failedFuture(switch (request.variant()) {
          case 1 -> new ProviderException(ErrorClass.PERMANENT, "INVALID_ARGUMENT", "Bad request");
          case 2 -> new ProviderException(ErrorClass.CONTENT_BLOCKED, "SAFETY", "Blocked by safety filters");
          default -> new ProviderException(ErrorClass.TEMPORARY, "503", "The model is overloaded");
        })));

    runToTheEnd(runner(PROVIDER_TIMEOUT, FAST_RETRIES, failing), JobRun.of(requested));

    assertThat(failing.callsFor("job-73")).as("3 calls, then variant 3 alone for each of 3 retries").isEqualTo(6);
    assertThat(events.typesOf("job-73")).containsExactly(EventType.JOB_STARTED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED, EventType.JOB_FAILED);
    List<GenerationAttemptFailed> retried = events.eventsOf("job-73").stream()
        .filter(e -> e.type() == EventType.GENERATION_ATTEMPT_FAILED)
        .map(e -> e.payload(GenerationAttemptFailed.class)).toList();
    assertThat(retried.get(0).getErrorClass()).as("the first retryable failure's").isEqualTo("TEMPORARY");
    assertThat(retried.get(0).getMessage()).isEqualTo("variant 1: PERMANENT INVALID_ARGUMENT Bad request (not retried); "
        + "variant 2: CONTENT_BLOCKED SAFETY Blocked by safety filters (not retried); "
        + "variant 3: TEMPORARY 503 The model is overloaded");
    assertThat(retried.get(1).getMessage()).isEqualTo("variant 3: TEMPORARY 503 The model is overloaded");
    JobFailed failed = events.last("job-73", JobFailed.class);
    assertThat(failed.getMetadata().getAttempt()).isEqualTo(4);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getErrorClass()).as("the first variant's").isEqualTo("PERMANENT");
    assertThat(failed.getErrorCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(failed.getMessage()).isEqualTo("All 3 variants failed: variant 1: PERMANENT INVALID_ARGUMENT Bad request; "
        + "variant 2: CONTENT_BLOCKED SAFETY Blocked by safety filters; variant 3: TEMPORARY 503 The model is overloaded");
    assertThat(store.contents()).isEmpty();
  }

  @Test
  void givenTwoOfThreeVariantsStagedBeforeACrash_whenDeliveredAgain_thenOnlyTheThirdIsPaidAndAllAreAnnounced()
      throws Exception {
    byte[] earlier = png("An earlier picture", "1:1");
    stageEarlier(BlobPath.of("staging", "job-74", "attempt-1.png"), earlier, 39_000);
    stageEarlier(BlobPath.of("staging", "job-74", "attempt-2-variant-3.png"), earlier, 41_000);
    JobRequested requested = aVariantsRequest("job-74", 3);
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    JobRunner runner = runner(PROVIDER_TIMEOUT, FAST_RETRIES, provider(request -> {
      calls.add(request);
      return local.generate(request).thenApply(artifact -> costing(artifact, 40_000, null));
    }));

    runToTheEnd(runner, JobRun.of(requested));

    assertThat(calls).singleElement().satisfies(call -> {
      assertThat(call.variant()).isEqualTo(2);
      assertThat(call.attempt()).isEqualTo(1);
    });
    ImageGenerated generated = events.last("job-74", ImageGenerated.class);
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath).containsExactly("staging/job-74/attempt-1.png",
        "staging/job-74/attempt-1-variant-2.png", "staging/job-74/attempt-2-variant-3.png");
    assertThat(generated.getVariants()).extracting(ImageVariant::getActualCostMicros)
        .containsExactly(39_000L, 40_000L, 41_000L);
    assertThat(generated.getActualCostMicros()).isEqualTo(120_000);
    assertThat(generated.getVariants().get(0).getSha256()).isEqualTo(ArtifactStager.sha256(earlier));
    assertThat(generated.getMetadata().getAttempt()).as("the last attempt that ended a variant").isEqualTo(2);

    runToTheEnd(runner, JobRun.of(requested));

    assertThat(calls).as("every variant staged now: nothing more is paid").hasSize(1);
    ImageGenerated repeated = events.last("job-74", ImageGenerated.class);
    assertThat(repeated.getMetadata().getEventId()).isEqualTo(generated.getMetadata().getEventId());
    assertThat(repeated.getVariants()).isEqualTo(generated.getVariants());
  }

  @Test
  void givenAVariantTheUploadServiceAlreadyStored_whenTheRequestIsDeliveredAgain_thenNothingIsPaidOrAnnounced()
      throws Exception {
    stageEarlier(BlobPath.of("staging", "job-75", "attempt-1.png"), png("An earlier picture", "1:1"), 39_000);
    StagingArea.markStored(store, BlobPath.of("staging", "job-75", "attempt-1-variant-2.png"), "job-75");

    runToTheEnd(runner(provider), JobRun.of(aVariantsRequest("job-75", 3)));

    assertThat(provider.callsFor("job-75")).isZero();
    assertThat(events.typesOf("job-75")).containsExactly(EventType.JOB_STARTED);
  }

  @Test
  void givenMoreVariantsThanTheModelMakesOrAnyJobMay_whenRun_thenTheJobFailsPermanentWithoutAProviderCall()
      throws Exception {
    variantCount = new VariantCount(catalogue(Map.of("local-v1", new ModelCatalogue.ModelCapabilities(14, null, null,
        true, 2))));
    JobRunner runner = runner(PROVIDER_TIMEOUT, FAST_RETRIES, provider);

    runToTheEnd(runner, JobRun.of(aVariantsRequest("job-76", 3)));
    runToTheEnd(runner, JobRun.of(aVariantsRequest("job-77", 5)));
    runToTheEnd(runner, JobRun.of(aVariantsRequest("job-78", 0)));

    assertThat(provider.calls()).isZero();
    for (String jobId : List.of("job-76", "job-77", "job-78")) {
      assertThat(events.typesOf(jobId)).containsExactly(EventType.JOB_STARTED, EventType.JOB_FAILED);
      assertThat(events.last(jobId, JobFailed.class).getErrorClass()).isEqualTo("PERMANENT");
      assertThat(events.last(jobId, JobFailed.class).getFailureStage()).isEqualTo("generating");
    }
    JobFailed unsupported = events.last("job-76", JobFailed.class);
    assertThat(unsupported.getErrorCode()).isEqualTo(VariantCount.UNSUPPORTED);
    assertThat(unsupported.getMessage())
        .isEqualTo("variants: model local-v1 makes at most 2 variants of a request, not 3");
    JobFailed invalid = events.last("job-77", JobFailed.class);
    assertThat(invalid.getErrorCode()).isEqualTo(VariantCount.INVALID);
    assertThat(invalid.getMessage()).isEqualTo("variants: a job asks for 1 to 4 variants of its request, not 5");
    assertThat(events.last("job-78", JobFailed.class).getErrorCode()).isEqualTo(VariantCount.INVALID);
  }

  @Test
  void givenACancelWhileVariantsAreGenerated_whenTheLastAnswers_thenEveryStagedVariantIsDiscardedAndTheJobCanceled()
      throws Exception {
    JobRequested requested = aVariantsRequest("job-79", 3);
    CompletableFuture<Void> release = new CompletableFuture<>();
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> allCalled = new CompletableFuture<>();
    ImageProvider slowSecond = provider(request -> {
      calls.add(request);
      if (calls.size() == 3) {
        allCalled.complete(null);
      }
      return request.variant() == 2 ? release.thenCompose(open -> local.generate(request)) : local.generate(request);
    });
    JobRunner runner = runner(PROVIDER_TIMEOUT, FAST_RETRIES, slowSecond);
    CompletableFuture<Void> outcome = runner.run(JobRun.of(requested));
    allCalled.get(5, TimeUnit.SECONDS);

    runner.cancel(cancelOf(requested));
    release.complete(null);
    outcome.get(10, TimeUnit.SECONDS);

    assertThat(events.typesOf("job-79"))
        .containsExactly(EventType.JOB_STARTED, EventType.GENERATION_STARTED, EventType.JOB_CANCELED);
    assertThat(store.contents().keySet()).extracting(BlobPath::value)
        .containsExactly("staging/job-79/cancel-requested");
  }

  @Test
  void givenReferencesAndThreeVariants_whenRun_thenTheImagesAreLoadedOnceSharedByTheCallsAndReleasedAfterThem()
      throws Exception {
    byte[] red = ReferenceImages.solidPng(8, 8, Color.RED);
    JobRequested requested = aVariantsRequest("job-80", 3);
    requested.getSpec().setReferences(List.of(ReferenceImages.stored(store, "ref-red", red, "image/png")));
    List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    ImageProvider recording = provider(request -> {
      calls.add(request);
      return local.generate(request);
    });

    runToTheEnd(runner(recording), JobRun.of(requested));

    assertThat(calls).hasSize(3);
    ReferenceInput loaded = calls.get(0).references().get(0);
    assertThat(loaded.content()).isEqualTo(red);
    assertThat(calls).allSatisfy(call -> assertThat(call.references()).singleElement().isSameAs(loaded));
    assertThat(references.available()).as("released once the calls ended").isEqualTo(REFERENCE_BUDGET);
    assertThat(events.last("job-80", ImageGenerated.class).getVariants()).hasSize(3);
  }

  @Test
  void givenAnEditOfTwoVariants_whenRun_thenEachIsCompositedOntoTheSourceAndTheBudgetIsFreeAfterwards()
      throws Exception {
    BufferedImage sourceImage = ReferenceImages.noise(100, 60, 61);
    byte[] source = ReferenceImages.encode(sourceImage, "png");
    Rectangle region = new Rectangle(10, 10, 40, 30);
    JobRequested requested = anEditRequest("job-81", ReferenceImages.storedEdit(store, "edit-81", source, "image/png",
        ReferenceImages.mask(100, 60, region)));
    requested.getSpec().setVariants(2);
    CountingProvider counting = new CountingProvider(LocalImageProvider.NAME, local);

    runToTheEnd(runner(counting), JobRun.of(requested));

    assertThat(counting.callsFor("job-81")).isEqualTo(2);
    ImageGenerated generated = events.last("job-81", ImageGenerated.class);
    assertThat(generated.getVariants()).extracting(ImageVariant::getPath)
        .containsExactly("staging/job-81/attempt-1.png", "staging/job-81/attempt-1-variant-2.png");
    for (ImageVariant variant : generated.getVariants()) {
      assertThat(variant.getContentType()).isEqualTo("image/png");
      BufferedImage result = ReferenceImages.decode(store.get(new BlobPath(variant.getPath())).orElseThrow().content());
      assertThat(result.getWidth()).isEqualTo(100);
      assertThat(result.getHeight()).isEqualTo(60);
      assertThat(result.getRGB(0, 0)).as("outside the mask").isEqualTo(sourceImage.getRGB(0, 0));
      assertThat(result.getRGB(99, 59)).as("outside the mask").isEqualTo(sourceImage.getRGB(99, 59));
    }
    assertThat(references.available()).as("released once both composites were done").isEqualTo(REFERENCE_BUDGET);
  }

  private static final long REFERENCE_BUDGET = 1 << 20;
  private static final RetryPolicy NO_RETRIES =
      new RetryPolicy(0, Duration.ZERO, 2, Duration.ZERO, 0, Duration.ZERO);
  private static final RetryPolicy FAST_RETRIES =
      new RetryPolicy(3, Duration.ofMillis(10), 2, Duration.ofMillis(30), 0, Duration.ofSeconds(1));

  private JobRunner runner(ImageProvider... providers) {
    return runner(PROVIDER_TIMEOUT, NO_RETRIES, providers);
  }

  private JobRunner runner(Duration providerTimeout, RetryPolicy retries, ImageProvider... providers) {
    return runner(events, providerTimeout, retries, providers);
  }

  private JobRunner runner(LifecyclePublisher publisher, ImageProvider... providers) {
    return runner(publisher, PROVIDER_TIMEOUT, NO_RETRIES, providers);
  }

  private JobRunner runner(LifecyclePublisher publisher, Duration providerTimeout, RetryPolicy retries,
      ImageProvider... providers) {
    return new JobRunner(new ProviderRegistry(List.of(providers)), reader(), new ArtifactStager(store), publisher,
        metadata(), work, providerTimeout, retries, new ProviderRateLimiter(Map.of(), System::nanoTime, work),
        new GenerationMetrics(new SimpleMeterRegistry()), endedRuns, JobTracing.disabled(), references, variantCount);
  }

  private ReferenceLoader referenceLoader(Map<String, ModelCatalogue.ModelCapabilities> models) {
    return new ReferenceLoader(store, catalogue(models), work, REFERENCE_BUDGET);
  }

  private static ModelCatalogue catalogue(Map<String, ModelCatalogue.ModelCapabilities> models) {
    return new ModelCatalogue(new ModelSettings(models));
  }

  private static ImageProvider failing(ProviderException failure) {
    return provider(request -> CompletableFuture.failedFuture(failure));
  }

  private static ImageProvider provider(Function<GenerationRequest, CompletableFuture<ImageArtifact>> answer) {
    return new ImageProvider() {
      @Override
      public String name() {
        return LocalImageProvider.NAME;
      }

      @Override
      public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
        return answer.apply(request);
      }
    };
  }

  private static JobRequested anEditRequest(String jobId, ImageEdit edit, ReferenceImage... references) {
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setJobType(JobType.EDIT);
    requested.getSpec().setAssetId(null);
    requested.getSpec().setPrompt("Turn the sky into a storm");
    requested.getSpec().setEdit(edit);
    requested.getSpec().setReferences(List.of(references));
    return requested;
  }

  private static JobRequested aVariantsRequest(String jobId, int variants) {
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setVariants(variants);
    return requested;
  }

  /** {@code artifact}'s image, as a call that cost {@code costMicros} and said {@code notes} beside it. */
  private static ImageArtifact costing(ImageArtifact artifact, long costMicros, String notes) {
    return new ImageArtifact.Bytes(((ImageArtifact.Bytes) artifact).content(), artifact.contentType(), notes,
        new ProviderUsage(0, 0, 0, 1290, costMicros));
  }

  /** An image an earlier delivery staged at {@code path}, with the cost its call recorded. */
  private void stageEarlier(BlobPath path, byte[] content, long costMicros) {
    store.putIfAbsent(path, content, new BlobMetadata("image/png", "private, no-store",
        Map.of(ArtifactStager.COST_MICROS, Long.toString(costMicros))));
  }

  private static RunEnded ended(String jobId, int run) {
    return RunEnded.newBuilder().setJobId(jobId).setTenantId("tenant-a").setRun(run).setStatus("failed")
        .setEndedBy("watchdog").setEndedAt(Instant.now()).build();
  }

  private static JobCancelRequested cancelOf(JobRequested requested) {
    return JobCancelRequested.newBuilder()
        .setMetadata(Events.metadata(requested.getMetadata().getJobId(), "gateway", 0))
        .setReason("changed my mind")
        .build();
  }

  private static ArtifactReader reader() {
    return new ArtifactReader(ArtifactReaderTest.LOCAL_TEST_SERVERS, Duration.ofSeconds(5), 1 << 20);
  }

  private static EventMetadataFactory metadata() {
    return new EventMetadataFactory("generation", Clock.systemUTC());
  }

  private static void runToTheEnd(JobRunner runner, JobRun run) throws Exception {
    runner.run(run).get(10, TimeUnit.SECONDS);
  }

  private byte[] png(String prompt, String aspectRatio) throws Exception {
    GenerationRequest request = new GenerationRequest("any", 0, 1, prompt, aspectRatio, "1K", "local-v1", List.of());
    return ((ImageArtifact.Bytes) local.generate(request).get(5, TimeUnit.SECONDS)).content();
  }
}
