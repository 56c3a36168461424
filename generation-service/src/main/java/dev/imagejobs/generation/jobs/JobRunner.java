package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.EditInput;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.EventsInFlight;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.Later;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.storage.StorageException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job run: {@code JobStarted}, then per provider attempt {@code GenerationStarted} and, when
 * the attempt fails in a way worth retrying, {@code GenerationAttemptFailed} and a wait; finally
 * {@code ImageGenerated}, {@code JobFailed} at stage {@code generating}, or {@code JobCanceled}. No
 * thread waits meanwhile: provider calls, retry delays and rate-limit waits all complete futures
 * from timers or the HTTP client, and events are sent without waiting for the broker
 * ({@link EventsInFlight}). The returned future completes once the outcome event and every event
 * sent before it are acknowledged (JobRunnerTest shows a run that goes on while its first events are
 * still unacknowledged, and that ends only once they are).
 *
 * <p>The job's reference images are loaded for each attempt within a memory budget shared by every
 * run ({@link ReferenceLoader}), after the rate limiter's wait, and released when the provider call
 * ends. A job whose model cannot take its images, or whose images changed or are gone, fails
 * PERMANENT before any provider call, so nothing is charged (JobRunnerTest).
 *
 * <p>An EDIT job's source image goes to the provider first, with its mask beside the request; its
 * images are loaded the same way, and its mask is checked against the source before the call. The
 * provider's image is then laid over the source ({@link EditCompositor}): the staged image is a PNG
 * at the source's size that keeps the source's pixels outside the mask. The edit's images and
 * decoded pictures hold their budget share until that composite is done.
 *
 * <p>Redelivery is safe: event ids derive from the starting event's id, so a redelivered request
 * repeats the same events, which consumers drop, and an artifact staged by an earlier delivery is
 * announced again instead of paying for a second provider call. A failure to publish an event
 * fails the future (the dispatcher runs the job again); every other failure ends the run with
 * {@code JobFailed} and the reason.
 *
 * <p>A run that has ended ({@link EndedRuns}: failed by the watchdog while its request waited in a
 * backlog, canceled, or long completed and delivered again by a replay) is never sent to the
 * provider: it is checked before it starts, before every provider call, and before its image is
 * announced (an image generated meanwhile is discarded). Such a run writes no events, since its job
 * has ended already.
 */
class JobRunner {
  /** First wait before a failed staging is tried again; it doubles up to {@link #STAGING_RETRY_MAX_DELAY}. */
  static final Duration STAGING_RETRY_DELAY = Duration.ofMillis(200);
  static final Duration STAGING_RETRY_MAX_DELAY = Duration.ofSeconds(30);

  static final int FIRST_ATTEMPT = 1;
  static final String FAILURE_STAGE = JobStatus.GENERATING.wireName();

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final ProviderRegistry providers;
  private final ArtifactReader reader;
  private final ArtifactStager stager;
  private final LifecyclePublisher publisher;
  private final EventMetadataFactory metadata;
  private final Executor work;
  private final Duration providerTimeout;
  private final RetryPolicy retries;
  private final ProviderRateLimiter limiter;
  private final GenerationMetrics metrics;
  private final EndedRuns endedRuns;
  private final JobTracing tracing;
  private final ReferenceLoader references;

  /**
   * @param work runs the blocking steps (storage), never the provider wait nor an acknowledgement
   * @param references checks and loads the jobs' reference images
   */
  JobRunner(ProviderRegistry providers, ArtifactReader reader, ArtifactStager stager, LifecyclePublisher publisher,
      EventMetadataFactory metadata, Executor work, Duration providerTimeout, RetryPolicy retries,
      ProviderRateLimiter limiter, GenerationMetrics metrics, EndedRuns endedRuns, JobTracing tracing,
      ReferenceLoader references) {
    this.references = references;
    this.providers = providers;
    this.reader = reader;
    this.stager = stager;
    this.publisher = publisher;
    this.metadata = metadata;
    this.work = work;
    this.providerTimeout = providerTimeout;
    this.retries = retries;
    this.limiter = limiter;
    this.metrics = metrics;
    this.endedRuns = endedRuns;
    this.tracing = tracing;
  }

  /**
   * Runs {@code run}; its first provider attempt is attempt 1, for a manual retry too.
   *
   * @return completes when the outcome event and every earlier event of the run are acknowledged,
   *     or fails when an event could not be published or storage could not be read before the
   *     provider was asked (run it again then)
   */
  CompletableFuture<Void> run(JobRun run) {
    EventsInFlight events = new EventsInFlight(publisher);
    return CompletableFuture.supplyAsync(() -> begin(run, events), work)
        .thenCompose(start -> {
          if (start instanceof Start.NothingToDo) {
            return events.acknowledged();
          }
          CompletableFuture<SpecificRecord> outcome = start instanceof Start.Ended ended
              ? CompletableFuture.completedFuture(ended.outcome())
              : attempt(run, FIRST_ATTEMPT, events);
          // No outcome: the run ended elsewhere meanwhile (failed by the watchdog, canceled), so it says nothing more.
          return outcome.thenCompose(last -> last == null ? events.acknowledged() : events.sendLast(last));
        });
  }

  /**
   * Records a cancel request of a run where every instance and the upload service see it; the run,
   * in flight or still to come, notices it before its next provider call and before announcing its
   * image. A later run of the job is not canceled by it.
   */
  void cancel(JobCancelRequested request) {
    EventMetadata cause = request.getMetadata();
    stager.markCanceled(cause.getJobId(), cause.getRun(), cause.getTenantId());
    log.info("Cancel requested for job {} run {}", cause.getJobId(), cause.getRun());
  }

  /**
   * Announces the run, or ends it at once when it was canceled, when an earlier delivery staged its
   * image, or when that image was even stored already.
   */
  private Start begin(JobRun run, EventsInFlight events) {
    EndedRuns.Verdict verdict = verdict(run);
    if (verdict != EndedRuns.Verdict.RUNNABLE) {
      log.info("Job {} run {} is not started: {}", run.jobId(), run.retryCount(), verdict == EndedRuns.Verdict.HISTORY
          ? "its request is older than the ended-runs retention (a replay or lost offsets)"
          : "it has ended already, " + endedRuns.endedStatus(run.jobId()));
      metrics.skipped(verdict);
      return new Start.NothingToDo();
    }
    ArtifactStager.Leftovers leftovers = stager.leftovers(run);
    if (leftovers.canceled()) {
      return new Start.Ended(jobCanceled(run, 0, JobStatus.QUEUED));
    }
    events.send(JobStarted.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.JOB_STARTED, 0))
        .build());
    for (int attempt = FIRST_ATTEMPT; attempt <= FIRST_ATTEMPT + retries.maxRetries(); attempt++) {
      Optional<StagedArtifact> staged = leftovers.staged(attempt);
      if (staged.isPresent()) {
        log.info("Job {} run {} attempt {} was already generated and staged at {}: announcing it without a new call",
            run.jobId(), run.retryCount(), attempt, staged.get().ref());
        metrics.reused();
        // Same event id as the first announcement, if that got out: consumers count its cost once.
        return new Start.Ended(imageGenerated(run, attempt, staged.get(), null));
      }
      if (leftovers.stored(attempt)) {
        log.info("Job {} run {} attempt {} was already generated and stored: nothing left to do",
            run.jobId(), run.retryCount(), attempt);
        return new Start.NothingToDo();
      }
    }
    return new Start.Generate();
  }

  /**
   * One provider attempt. Images the job's model cannot take, and an edit it cannot make, end the run
   * before it is announced; otherwise the images are loaded after the rate limiter's wait, so they
   * are held only around the call (and an edit's until its result is composited).
   */
  private CompletableFuture<SpecificRecord> attempt(JobRun run, int attempt, EventsInFlight events) {
    JobSpec spec = run.spec();
    Optional<ProviderException> refused = references.refusal(spec);
    CompletableFuture<SpecificRecord> outcome = refused.isPresent()
        ? CompletableFuture.failedFuture(refused.get())
        : CompletableFuture.supplyAsync(() -> announceAttempt(run, attempt, events), work)
            .thenCompose(stopped -> stopped.isPresent()
                ? CompletableFuture.completedFuture(stopped.get().last())
                : limiter.acquire(spec.getProvider())
                    .thenCompose(allowed -> references.load(spec))
                    .thenCompose(loaded -> generate(run, attempt, loaded)));
    return outcome.exceptionallyComposeAsync(failure -> afterFailure(run, attempt, unwrap(failure), events), work);
  }

  /**
   * Calls the provider with the loaded images, then stages and announces its image. The images are
   * released when the call ends however it ends (the provider timeout bounds it); an edit's, once its
   * result is composited or the call or the composite failed.
   */
  private CompletableFuture<SpecificRecord> generate(JobRun run, int attempt, ReferenceLoader.Loaded loaded) {
    EditCompositor edit = loaded.edit();
    CompletableFuture<ImageArtifact> answer;
    try {
      // Waiting for the budget may take long: a run that ended meanwhile is not paid for.
      if (!loaded.isEmpty() && hasEnded(run, "after its images were loaded")) {
        loaded.release();
        return CompletableFuture.completedFuture(null);
      }
      answer = call(run, attempt, loaded.images(), edit == null ? null : edit.input());
    } catch (RuntimeException e) {
      loaded.release();
      throw e;
    }
    return answer.whenComplete((artifact, failure) -> {
      if (failure != null || edit == null) {
        loaded.release();
      }
    }).thenCompose(artifact -> reader.read(artifact)
        .thenCompose(bytes -> edit == null
            ? CompletableFuture.completedFuture(bytes)
            : CompletableFuture.supplyAsync(() -> composite(run, edit, bytes, artifact), work))
        .whenComplete((bytes, failure) -> loaded.release())
        .thenCompose(bytes -> stage(run, attempt, bytes, artifact.usage().costMicros(), STAGING_RETRY_DELAY))
        .thenApplyAsync(staged -> announceable(run, attempt, staged, artifact), work));
  }

  /**
   * The edit's result from the provider's image. A failure to make it comes after the provider was
   * paid: its message says what the call cost, which the metrics counted already.
   */
  private ArtifactBytes composite(JobRun run, EditCompositor edit, ArtifactBytes generated, ImageArtifact artifact) {
    try {
      return edit.composite(generated);
    } catch (ProviderException failed) {
      long cost = artifact.usage().costMicros();
      log.warn("Job {} run {}: the provider's image could not be composited onto the source image; the call cost {} "
          + "micro-USD", run.jobId(), run.retryCount(), cost);
      throw new ProviderException(failed.errorClass(), failed.code(),
          failed.getMessage() + " (the provider's call cost " + cost + " micro-USD)", failed, false, null);
    }
  }

  /**
   * Sends {@code GenerationStarted}, unless the job was canceled meanwhile. A run whose earlier
   * events are known to have failed stops here, before the provider is paid: it will be delivered
   * again anyway.
   */
  private Optional<Outcome> announceAttempt(JobRun run, int attempt, EventsInFlight events) {
    if (hasEnded(run, "before attempt " + attempt)) {
      return Optional.of(new Outcome(null));
    }
    if (stager.isCanceled(run)) {
      return Optional.of(new Outcome(jobCanceled(run, attempt, JobStatus.GENERATING)));
    }
    events.send(GenerationStarted.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.GENERATION_STARTED, attempt))
        .setProvider(run.spec().getProvider())
        .setModel(run.spec().getModel())
        .build());
    Optional<Throwable> failed = events.failure();
    if (failed.isPresent()) {
      throw failed.get() instanceof EventPublishingException publishing
          ? publishing
          : new EventPublishingException("An event of job " + run.jobId() + " was not acknowledged", failed.get());
    }
    return Optional.empty();
  }

  private CompletableFuture<ImageArtifact> call(JobRun run, int attempt, List<ReferenceInput> images, EditInput edit) {
    JobSpec spec = run.spec();
    String provider = spec.getProvider();
    GenerationRequest request = new GenerationRequest(run.jobId(), run.retryCount(), attempt, promptOf(spec),
        spec.getAspectRatio(), spec.getImageSize(), spec.getModel(), images, edit);
    metrics.attempted(provider);
    long started = System.nanoTime();
    CompletableFuture<ImageArtifact> answer;
    try {
      answer = tracing.within(run.jobId(), "image-jobs.provider.call",
          () -> providers.get(provider).generate(request).orTimeout(providerTimeout.toMillis(), TimeUnit.MILLISECONDS),
          "provider", provider);
    } catch (RuntimeException e) {
      // An unknown provider, or one that threw instead of failing its future.
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.whenComplete((artifact, failure) -> {
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      metrics.called(provider, latency, failure == null ? "success" : classify(run, unwrap(failure)).errorClass().name());
      if (artifact != null) {
        metrics.charged(provider, spec.getModel(), artifact.usage().costMicros());
      }
    });
  }

  /**
   * Stages the paid image, trying again at growing intervals while the store fails: the image is
   * kept until the store takes it, and another attempt would pay the provider again. The wait ends
   * when the run ends elsewhere (the watchdog's generating deadline fails it), and then silently.
   */
  private CompletableFuture<StagedArtifact> stage(JobRun run, int attempt, ArtifactBytes bytes, long costMicros,
      Duration delay) {
    return CompletableFuture.supplyAsync(() -> stager.stage(run, attempt, bytes, costMicros), work)
        .exceptionallyCompose(failure -> {
          Throwable cause = unwrap(failure);
          if (!(cause instanceof StorageException) || hasEnded(run, "while its image waited for the store")) {
            return CompletableFuture.failedFuture(cause);
          }
          log.warn("Job {} run {} attempt {}: the generated image could not be staged ({}); trying again in {}",
              run.jobId(), run.retryCount(), attempt, cause.getMessage(), delay);
          Duration next = delay.multipliedBy(2).compareTo(STAGING_RETRY_MAX_DELAY) > 0
              ? STAGING_RETRY_MAX_DELAY : delay.multipliedBy(2);
          return Later.waiting(delay, work).thenCompose(waited -> stage(run, attempt, bytes, costMicros, next));
        });
  }

  /**
   * The image's announcement, or, when the job was canceled or ended otherwise while it was
   * generated, its discard.
   */
  private SpecificRecord announceable(JobRun run, int attempt, StagedArtifact staged, ImageArtifact artifact) {
    if (hasEnded(run, "after attempt " + attempt)) {
      stager.discard(staged);
      return null;
    }
    if (stager.isCanceled(run)) {
      stager.discard(staged);
      return jobCanceled(run, attempt, JobStatus.GENERATING);
    }
    return imageGenerated(run, attempt, staged, artifact.providerNotes());
  }

  private CompletableFuture<SpecificRecord> afterFailure(
      JobRun run, int attempt, Throwable cause, EventsInFlight events) {
    if (cause instanceof EventPublishingException) {
      return CompletableFuture.failedFuture(cause);
    }
    Failure failure = classify(run, cause);
    if (failure.errorClass() == ErrorClass.UNKNOWN && !(cause instanceof ProviderException)) {
      log.warn("Job {} run {} attempt {} failed unexpectedly", run.jobId(), run.retryCount(), attempt, cause);
    }
    metrics.failed(run.spec().getProvider(), failure.errorClass());
    if (hasEnded(run, "after attempt " + attempt + " failed")) {
      return CompletableFuture.completedFuture(null);
    }
    if (stager.isCanceled(run)) {
      return CompletableFuture.completedFuture(jobCanceled(run, attempt, JobStatus.GENERATING));
    }
    Optional<Duration> delay = failure.retryable()
        ? retries.delayBefore(attempt, failure.retryAfter(), ThreadLocalRandom.current()::nextDouble)
        : Optional.empty();
    if (delay.isEmpty()) {
      log.info("Job {} run {} attempt {} failed: {} {} {}", run.jobId(), run.retryCount(), attempt,
          failure.errorClass(), failure.code(), failure.message());
      return CompletableFuture.completedFuture(jobFailed(run, attempt, failure));
    }
    log.info("Job {} run {} attempt {} failed ({} {}), retrying in {} ms: {}", run.jobId(), run.retryCount(),
        attempt, failure.errorClass(), failure.code(), delay.get().toMillis(), failure.message());
    events.send(GenerationAttemptFailed.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.GENERATION_ATTEMPT_FAILED, attempt))
        .setErrorClass(failure.errorClass().name())
        .setErrorCode(failure.code())
        .setMessage(failure.message())
        .setRetryDelayMillis(delay.get().toMillis())
        .build());
    return Later.waiting(delay.get(), work).thenCompose(waited -> attempt(run, attempt + 1, events));
  }

  /** What the ended runs say of this run, by its number and the time its starting event was written. */
  private EndedRuns.Verdict verdict(JobRun run) {
    return endedRuns.verdict(run.jobId(), run.retryCount(), run.cause().getOccurredAt());
  }

  /** Whether the run ended elsewhere while it ran (the watchdog failed it, say): then it stops, silently. */
  private boolean hasEnded(JobRun run, String when) {
    if (verdict(run) != EndedRuns.Verdict.ENDED) {
      return false;
    }
    log.info("Job {} run {} ended elsewhere ({}); stopping {} without a provider call or an announcement",
        run.jobId(), run.retryCount(), endedRuns.endedStatus(run.jobId()), when);
    metrics.skipped(EndedRuns.Verdict.ENDED);
    return true;
  }

  private Failure classify(JobRun run, Throwable cause) {
    if (cause instanceof ProviderException provider) {
      String message = provider.getMessage() != null ? provider.getMessage() : "The provider failed with " + provider.errorClass();
      return new Failure(provider.errorClass(), provider.code(), message, provider.retryable(), provider.retryAfter());
    }
    if (cause instanceof TimeoutException) {
      return new Failure(ErrorClass.TIMEOUT, "PROVIDER_TIMEOUT",
          "Provider '" + run.spec().getProvider() + "' did not answer within " + providerTimeout, true, Optional.empty());
    }
    if (cause instanceof StorageException) {
      // Not another attempt: that would pay the provider again. Staging itself waits for the store
      // (stage); this is a store that failed before the call (its staging folder could not be read).
      Throwable reason = cause.getCause();
      return new Failure(ErrorClass.TEMPORARY, "STAGING_FAILED", "The generated image could not be staged: "
          + cause.getMessage() + (reason == null ? "" : " (" + reason.getMessage() + ")"), false, Optional.empty());
    }
    return new Failure(ErrorClass.UNKNOWN, "INTERNAL_ERROR", "Generation failed unexpectedly: " + cause, false,
        Optional.empty());
  }

  private SpecificRecord imageGenerated(JobRun run, int attempt, StagedArtifact staged, String notes) {
    return ImageGenerated.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.IMAGE_GENERATED, attempt))
        .setSpec(run.spec())
        .setStagedRef(staged.ref())
        .setContentType(staged.contentType())
        .setSizeBytes(staged.sizeBytes())
        .setSha256(staged.sha256())
        .setWidth(staged.width())
        .setHeight(staged.height())
        .setProvider(run.spec().getProvider())
        .setModel(run.spec().getModel())
        .setActualCostMicros(staged.costMicros())
        .setProviderNotes(notes)
        .build();
  }

  private SpecificRecord jobFailed(JobRun run, int attempt, Failure failure) {
    return JobFailed.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.JOB_FAILED, attempt))
        .setFailureStage(FAILURE_STAGE)
        .setErrorClass(failure.errorClass().name())
        .setErrorCode(failure.code())
        .setMessage(failure.message())
        .build();
  }

  private SpecificRecord jobCanceled(JobRun run, int attempt, JobStatus stage) {
    log.info("Job {} run {} canceled at stage {}", run.jobId(), run.retryCount(), stage.wireName());
    return JobCanceled.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.JOB_CANCELED, attempt))
        .setStage(stage.wireName())
        .setReason("Canceled on request" + (attempt > 0 ? "; the provider's result, if any, was discarded" : ""))
        .build();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The prompt sent to the provider: the client's prompt followed by the style capsule's text. */
  static String promptOf(JobSpec spec) {
    String style = spec.getStyleText();
    return style == null || style.isBlank() ? spec.getPrompt() : spec.getPrompt() + "\n\nStyle: " + style;
  }

  /** How a run goes on after {@link #begin}. */
  private sealed interface Start {
    record Generate() implements Start {}

    record Ended(SpecificRecord outcome) implements Start {}

    /** The run ended before it began, or its image is even stored already. */
    record NothingToDo() implements Start {}
  }

  /** How a run stops before a provider call: with {@code last} as its last event, or silently when null. */
  private record Outcome(SpecificRecord last) {}

  private record Failure(
      ErrorClass errorClass, String code, String message, boolean retryable, Optional<Duration> retryAfter) {}
}
