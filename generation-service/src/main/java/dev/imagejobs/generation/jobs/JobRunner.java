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
import java.util.ArrayList;
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
 * <p>A job may ask for several variants of its request ({@code JobSpec.variants}, up to 4, checked
 * against the model before any call: {@link VariantCount}). Attempts stay the run's: each calls the
 * provider once per variant still open ({@link RunVariants}), all at once, each call through the
 * rate limiter and charged on its own. A variant ends generated, or failed for good; those failed
 * retryably are called again by the next attempt while retries remain, after one
 * {@code GenerationAttemptFailed} naming each. Once every variant ended, one {@code ImageGenerated}
 * lists them all (when at least one was generated), or {@code JobFailed} lists their failures. A job
 * of one image is the same run with one variant, and its events list none.
 *
 * <p>The job's reference images are loaded once per attempt within a memory budget shared by every
 * run ({@link ReferenceLoader}), after the rate limiter's wait, shared by the attempt's calls and
 * released when they have all ended. A job whose model cannot take its images, or whose images
 * changed or are gone, fails PERMANENT before any provider call, so nothing is charged (JobRunnerTest).
 *
 * <p>An EDIT job's source image goes to the provider first, with its mask beside the request; its
 * images are loaded the same way, and its mask is checked against the source before the call. The
 * provider's image is then laid over the source ({@link EditCompositor}): the staged image is a PNG
 * at the source's size that keeps the source's pixels outside the mask. The edit's images and
 * decoded pictures hold their budget share until that composite is done; an attempt's variants are
 * composited one at a time ({@link OneAtATime}), so that share covers them.
 *
 * <p>Redelivery is safe: event ids derive from the starting event's id, so a redelivered request
 * repeats the same events, which consumers drop, and an artifact staged by an earlier delivery is
 * announced again instead of paying for a second provider call (for a job of several variants, the
 * variants not staged yet are called). A failure to publish an event fails the future (the
 * dispatcher runs the job again); every other failure ends the run with {@code JobFailed} and the
 * reason.
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
  private final VariantCount variantCount;

  /**
   * @param work runs the blocking steps (storage), never the provider wait nor an acknowledgement
   * @param references checks and loads the jobs' reference images
   * @param variantCount checks the variants a job asks for against its model
   */
  JobRunner(ProviderRegistry providers, ArtifactReader reader, ArtifactStager stager, LifecyclePublisher publisher,
      EventMetadataFactory metadata, Executor work, Duration providerTimeout, RetryPolicy retries,
      ProviderRateLimiter limiter, GenerationMetrics metrics, EndedRuns endedRuns, JobTracing tracing,
      ReferenceLoader references, VariantCount variantCount) {
    this.references = references;
    this.variantCount = variantCount;
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
    RunVariants variants = new RunVariants(VariantCount.of(run.spec()));
    return CompletableFuture.supplyAsync(() -> begin(run, variants, events), work)
        .thenCompose(start -> {
          if (start instanceof Start.NothingToDo) {
            return events.acknowledged();
          }
          CompletableFuture<SpecificRecord> outcome = start instanceof Start.Ended ended
              ? CompletableFuture.completedFuture(ended.outcome())
              : attempt(run, FIRST_ATTEMPT, variants, events);
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
   * Announces the run, or ends it at once when it was canceled, when earlier deliveries staged its
   * image (every variant's), or when an image of it was even stored already. Variants an earlier
   * delivery staged are ended with that image, so no attempt calls the provider for them again.
   */
  private Start begin(JobRun run, RunVariants variants, EventsInFlight events) {
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
      for (int variant = 1; variant <= variants.count(); variant++) {
        VariantAttempt which = new VariantAttempt(attempt, variant, variants.several());
        Optional<StagedArtifact> staged =
            variants.isOpen(variant) ? leftovers.staged(attempt, variant) : Optional.empty();
        if (staged.isPresent()) {
          log.info("Job {} run {} {} was already generated and staged at {}: announcing it without a new call",
              run.jobId(), run.retryCount(), which, staged.get().ref());
          metrics.reused();
          variants.reuse(variant, attempt, staged.get());
        } else if (leftovers.stored(attempt, variant)) {
          log.info("Job {} run {} {} was already generated and stored: nothing left to do",
              run.jobId(), run.retryCount(), which);
          return new Start.NothingToDo();
        }
      }
      if (variants.allEnded()) {
        // Same event id as the first announcement, if that got out: consumers count its cost once.
        return new Start.Ended(imageGenerated(run, variants));
      }
    }
    return new Start.Generate();
  }

  /**
   * One provider attempt, for the variants still open. Variants or images the job's model cannot
   * take, and an edit it cannot make, end the run before it is announced; otherwise the images are
   * loaded after the rate limiter's wait, so they are held only around the calls (and an edit's
   * until its results are composited).
   */
  private CompletableFuture<SpecificRecord> attempt(
      JobRun run, int attempt, RunVariants variants, EventsInFlight events) {
    JobSpec spec = run.spec();
    Optional<ProviderException> refused = variantCount.refusal(spec).or(() -> references.refusal(spec));
    if (refused.isPresent()) {
      return CompletableFuture.supplyAsync(() -> refuse(run, attempt, variants, refused.get()), work);
    }
    List<Integer> open = variants.open();
    return CompletableFuture.supplyAsync(() -> announceAttempt(run, attempt, variants, events), work)
        .thenCompose(stopped -> stopped.isPresent()
            ? CompletableFuture.completedFuture(stopped.get())
            : generate(run, attempt, variants, open))
        .exceptionallyCompose(failure -> {
          Throwable cause = unwrap(failure);
          return cause instanceof EventPublishingException
              ? CompletableFuture.failedFuture(cause)
              : CompletableFuture.completedFuture(new AttemptEnd.Called(failedAll(run, attempt, open, cause)));
        })
        .thenComposeAsync(end -> end instanceof AttemptEnd.Called called
            ? afterAttempt(run, attempt, variants, called.outcomes(), events)
            : CompletableFuture.completedFuture(((AttemptEnd.Stopped) end).last()), work);
  }

  /**
   * Ends a run whose model cannot make what it asks for, before any call: {@code JobFailed} with the
   * refusal, unless the run ended elsewhere or was canceled meanwhile.
   */
  private SpecificRecord refuse(JobRun run, int attempt, RunVariants variants, ProviderException refused) {
    GenerationFailure failure = classify(run, refused);
    metrics.failed(run.spec().getProvider(), failure.errorClass());
    if (hasEnded(run, "before attempt " + attempt)) {
      discard(variants.stagedHere());
      return null;
    }
    if (stager.isCanceled(run)) {
      discard(variants.staged());
      return jobCanceled(run, attempt, JobStatus.GENERATING);
    }
    log.info("Job {} run {} attempt {} failed: {} {} {}", run.jobId(), run.retryCount(), attempt,
        failure.errorClass(), failure.code(), failure.message());
    return jobFailed(run, attempt, failure);
  }

  /** Takes a rate-limit token per call, then loads the attempt's images once and calls the provider. */
  private CompletableFuture<AttemptEnd> generate(JobRun run, int attempt, RunVariants variants, List<Integer> open) {
    JobSpec spec = run.spec();
    CompletableFuture<?>[] tokens = open.stream()
        .map(variant -> limiter.acquire(spec.getProvider()))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(tokens)
        .thenCompose(allowed -> references.load(spec))
        .thenCompose(loaded -> callAll(run, attempt, variants, open, loaded));
  }

  /**
   * Calls the provider for each open variant at once with the loaded images, then stages each image.
   * The images are released once every call has ended, however it ended (the provider timeout bounds
   * them); an edit's, once every result is composited or its call or composite failed.
   */
  private CompletableFuture<AttemptEnd> callAll(
      JobRun run, int attempt, RunVariants variants, List<Integer> open, ReferenceLoader.Loaded loaded) {
    List<VariantCall> calls = new ArrayList<>(open.size());
    try {
      // Waiting for the budget may take long: a run that ended meanwhile is not paid for.
      if (!loaded.isEmpty() && hasEnded(run, "after its images were loaded")) {
        loaded.release();
        discard(variants.stagedHere());
        return CompletableFuture.completedFuture(new AttemptEnd.Stopped(null));
      }
      OneAtATime compositing = new OneAtATime(work);
      for (int variant : open) {
        calls.add(callVariant(run, new VariantAttempt(attempt, variant, variants.several()), loaded, compositing));
      }
    } catch (RuntimeException e) {
      loaded.release();
      throw e;
    }
    List<CompletableFuture<VariantOutcome>> outcomes = calls.stream().map(VariantCall::outcome).toList();
    // Released before the attempt ends, so that the next attempt (or run) finds the budget free.
    return CompletableFuture.allOf(calls.stream().map(VariantCall::holding).toArray(CompletableFuture[]::new))
        .handle((ended, failure) -> {
          loaded.release();
          return null;
        })
        .thenCompose(released -> CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)))
        .thenApply(ended -> new AttemptEnd.Called(outcomes.stream().map(CompletableFuture::join).toList()));
  }

  /**
   * One variant's call, and its image read, composited (an edit) and staged. Its outcome never
   * fails: a failure anywhere is the variant's, with what the call cost when the provider answered.
   */
  private VariantCall callVariant(
      JobRun run, VariantAttempt which, ReferenceLoader.Loaded loaded, OneAtATime compositing) {
    EditCompositor edit = loaded.edit();
    CompletableFuture<ImageArtifact> answer = call(run, which, loaded.images(), edit == null ? null : edit.input());
    CompletableFuture<ArtifactBytes> image = answer.thenCompose(artifact -> reader.read(artifact)
        .thenCompose(bytes -> edit == null
            ? CompletableFuture.completedFuture(bytes)
            : compositing.run(() -> composite(run, edit, bytes, artifact))));
    CompletableFuture<VariantOutcome> outcome = image
        .thenCompose(bytes -> {
          ImageArtifact artifact = answer.join();
          return stage(run, which, bytes, artifact.usage().costMicros(), STAGING_RETRY_DELAY)
              .<VariantOutcome>thenApply(staged -> new VariantOutcome.Generated(
                  which.variant(), which.attempt(), staged, artifact.providerNotes(), false));
        })
        .exceptionally(failure -> new VariantOutcome.Failed(which.variant(), which.attempt(),
            failure(run, which, unwrap(failure)), paid(answer)));
    return new VariantCall(edit == null ? answer : image, outcome);
  }

  /** What the call cost when the provider answered, else 0. */
  private static long paid(CompletableFuture<ImageArtifact> answer) {
    return answer.isDone() && !answer.isCompletedExceptionally() ? answer.join().usage().costMicros() : 0;
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
   * Sends {@code GenerationStarted}, unless the job was canceled (every staged variant is then
   * discarded) or ended meanwhile. A run whose earlier events are known to have failed stops here,
   * before the provider is paid: it will be delivered again anyway.
   */
  private Optional<AttemptEnd> announceAttempt(JobRun run, int attempt, RunVariants variants, EventsInFlight events) {
    if (hasEnded(run, "before attempt " + attempt)) {
      discard(variants.stagedHere());
      return Optional.of(new AttemptEnd.Stopped(null));
    }
    if (stager.isCanceled(run)) {
      discard(variants.staged());
      return Optional.of(new AttemptEnd.Stopped(jobCanceled(run, attempt, JobStatus.GENERATING)));
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

  private CompletableFuture<ImageArtifact> call(
      JobRun run, VariantAttempt which, List<ReferenceInput> images, EditInput edit) {
    JobSpec spec = run.spec();
    String provider = spec.getProvider();
    GenerationRequest request = new GenerationRequest(run.jobId(), run.retryCount(), which.attempt(), promptOf(spec),
        spec.getAspectRatio(), spec.getImageSize(), spec.getModel(), images, edit, which.variant());
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
  private CompletableFuture<StagedArtifact> stage(JobRun run, VariantAttempt which, ArtifactBytes bytes,
      long costMicros, Duration delay) {
    return CompletableFuture.supplyAsync(
            () -> stager.stage(run, which.attempt(), which.variant(), bytes, costMicros), work)
        .exceptionallyCompose(failure -> {
          Throwable cause = unwrap(failure);
          if (!(cause instanceof StorageException) || hasEnded(run, "while its image waited for the store")) {
            return CompletableFuture.failedFuture(cause);
          }
          log.warn("Job {} run {} {}: the generated image could not be staged ({}); trying again in {}",
              run.jobId(), run.retryCount(), which, cause.getMessage(), delay);
          Duration next = delay.multipliedBy(2).compareTo(STAGING_RETRY_MAX_DELAY) > 0
              ? STAGING_RETRY_MAX_DELAY : delay.multipliedBy(2);
          return Later.waiting(delay, work).thenCompose(waited -> stage(run, which, bytes, costMicros, next));
        });
  }

  /**
   * Ends the attempt once all its calls have. A run that ended elsewhere meanwhile stops silently,
   * and one canceled meanwhile ends canceled, both discarding their staged images. Otherwise the
   * variants that failed retryably are called again after the retry policy's wait, while retries
   * remain; once every variant has ended, the run announces its images, or fails when none was
   * generated.
   */
  private CompletableFuture<SpecificRecord> afterAttempt(
      JobRun run, int attempt, RunVariants variants, List<VariantOutcome> outcomes, EventsInFlight events) {
    for (VariantOutcome outcome : outcomes) {
      if (outcome instanceof VariantOutcome.Failed failed) {
        metrics.failed(run.spec().getProvider(), failed.failure().errorClass());
      }
    }
    variants.record(outcomes);
    if (hasEnded(run, "after attempt " + attempt)) {
      discard(variants.stagedHere());
      return CompletableFuture.completedFuture(null);
    }
    if (stager.isCanceled(run)) {
      discard(variants.staged());
      return CompletableFuture.completedFuture(jobCanceled(run, attempt, JobStatus.GENERATING));
    }
    Optional<Duration> delay = retryDelay(attempt, variants);
    if (delay.isPresent()) {
      GenerationFailure first = variants.retryable().get(0).failure();
      String message = variants.attemptFailures(attempt);
      log.info("Job {} run {} attempt {} failed ({} {}), retrying in {} ms: {}", run.jobId(), run.retryCount(),
          attempt, first.errorClass(), first.code(), delay.get().toMillis(), message);
      events.send(GenerationAttemptFailed.newBuilder()
          .setMetadata(metadata.reacting(run.cause(), EventType.GENERATION_ATTEMPT_FAILED, attempt))
          .setErrorClass(first.errorClass().name())
          .setErrorCode(first.code())
          .setMessage(message)
          .setRetryDelayMillis(delay.get().toMillis())
          .build());
      return Later.waiting(delay.get(), work).thenCompose(waited -> attempt(run, attempt + 1, variants, events));
    }
    if (variants.firstGenerated().isEmpty()) {
      GenerationFailure failure = variants.failure();
      log.info("Job {} run {} attempt {} failed: {} {} {}", run.jobId(), run.retryCount(), attempt,
          failure.errorClass(), failure.code(), failure.message());
      return CompletableFuture.completedFuture(jobFailed(run, attempt, failure));
    }
    if (variants.several()) {
      log.info("Job {} run {} attempt {}: {} of {} variants generated", run.jobId(), run.retryCount(), attempt,
          variants.staged().size(), variants.count());
    }
    return CompletableFuture.completedFuture(imageGenerated(run, variants));
  }

  /**
   * The wait before the next attempt of the variants that failed retryably, or empty when none is
   * tried again. A variant with no retry left, or whose provider asked for a longer wait than the
   * policy takes, fails for good here. The wait is the longest one a provider asked for, else the
   * policy's backoff.
   */
  private Optional<Duration> retryDelay(int attempt, RunVariants variants) {
    Optional<Duration> asked = Optional.empty();
    for (VariantOutcome.Failed failed : variants.retryable()) {
      Optional<Duration> wait = failed.failure().retryAfter();
      if (retries.delayBefore(attempt, wait, () -> 0).isEmpty()) {
        variants.giveUp(failed);
      } else if (wait.isPresent() && (asked.isEmpty() || wait.get().compareTo(asked.get()) > 0)) {
        asked = wait;
      }
    }
    return variants.retryable().isEmpty()
        ? Optional.empty()
        : retries.delayBefore(attempt, asked, ThreadLocalRandom.current()::nextDouble);
  }

  /** Removes staged images that will never be announced (their run was canceled or ended elsewhere). */
  private void discard(List<StagedArtifact> staged) {
    staged.forEach(stager::discard);
  }

  /** Every open variant failed the same way: the attempt failed before or around its calls. */
  private List<VariantOutcome> failedAll(JobRun run, int attempt, List<Integer> open, Throwable cause) {
    GenerationFailure failure = failure(run, new VariantAttempt(attempt, open.get(0), false), cause);
    return open.stream()
        .<VariantOutcome>map(variant -> new VariantOutcome.Failed(variant, attempt, failure, 0))
        .toList();
  }

  /** The failure's classification; one that no provider or check explains is logged with its trace. */
  private GenerationFailure failure(JobRun run, VariantAttempt which, Throwable cause) {
    GenerationFailure failure = classify(run, cause);
    if (failure.errorClass() == ErrorClass.UNKNOWN && !(cause instanceof ProviderException)) {
      log.warn("Job {} run {} {} failed unexpectedly", run.jobId(), run.retryCount(), which, cause);
    }
    return failure;
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

  private GenerationFailure classify(JobRun run, Throwable cause) {
    if (cause instanceof ProviderException provider) {
      String message = provider.getMessage() != null ? provider.getMessage() : "The provider failed with " + provider.errorClass();
      return new GenerationFailure(
          provider.errorClass(), provider.code(), message, provider.retryable(), provider.retryAfter());
    }
    if (cause instanceof TimeoutException) {
      return new GenerationFailure(ErrorClass.TIMEOUT, "PROVIDER_TIMEOUT",
          "Provider '" + run.spec().getProvider() + "' did not answer within " + providerTimeout, true, Optional.empty());
    }
    if (cause instanceof StorageException) {
      // Not another attempt: that would pay the provider again. Staging itself waits for the store
      // (stage); this is a store that failed before the call (its staging folder could not be read).
      Throwable reason = cause.getCause();
      return new GenerationFailure(ErrorClass.TEMPORARY, "STAGING_FAILED", "The generated image could not be staged: "
          + cause.getMessage() + (reason == null ? "" : " (" + reason.getMessage() + ")"), false, Optional.empty());
    }
    return new GenerationFailure(ErrorClass.UNKNOWN, "INTERNAL_ERROR", "Generation failed unexpectedly: " + cause, false,
        Optional.empty());
  }

  /**
   * The run's announcement: its first generated variant's image and what every call cost; for a job
   * of several variants, every variant in order besides. Its attempt is the last one that ended a
   * variant, so a redelivery that finds every image staged repeats the first announcement's id.
   */
  private SpecificRecord imageGenerated(JobRun run, RunVariants variants) {
    VariantOutcome.Generated first = variants.firstGenerated().orElseThrow();
    StagedArtifact staged = first.staged();
    return ImageGenerated.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.IMAGE_GENERATED, variants.lastAttempt()))
        .setSpec(run.spec())
        .setStagedRef(staged.ref())
        .setContentType(staged.contentType())
        .setSizeBytes(staged.sizeBytes())
        .setSha256(staged.sha256())
        .setWidth(staged.width())
        .setHeight(staged.height())
        .setProvider(run.spec().getProvider())
        .setModel(run.spec().getModel())
        .setActualCostMicros(variants.costMicros())
        .setProviderNotes(first.notes())
        .setVariants(variants.several() ? variants.describe() : List.of())
        .build();
  }

  private SpecificRecord jobFailed(JobRun run, int attempt, GenerationFailure failure) {
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

  /** How an attempt ended: stopped before its calls, or with an outcome per variant it called. */
  private sealed interface AttemptEnd {
    /** With {@code last} as the run's last event, or silently when null. */
    record Stopped(SpecificRecord last) implements AttemptEnd {}

    record Called(List<VariantOutcome> outcomes) implements AttemptEnd {}
  }

  /**
   * One variant's call: {@code holding} ends when it no longer needs the attempt's images (its call
   * ended, or for an edit its result is composited), and {@code outcome} when it is staged or failed.
   */
  private record VariantCall(CompletableFuture<?> holding, CompletableFuture<VariantOutcome> outcome) {}

  /** Which call of a run: its attempt and variant, as logs name it ({@code attempt 2}, {@code attempt 2 variant 3}). */
  private record VariantAttempt(int attempt, int variant, boolean ofSeveral) {
    @Override
    public String toString() {
      return "attempt " + attempt + (ofSeveral ? " variant " + variant : "");
    }
  }
}
