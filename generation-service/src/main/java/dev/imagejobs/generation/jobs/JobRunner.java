package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.storage.StorageException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job run: {@code JobStarted}, {@code GenerationStarted}, the provider call, then
 * {@code ImageGenerated} or {@code JobFailed} at stage {@code generating}. The returned future
 * completes once the outcome event is acknowledged; no thread waits for the provider meanwhile.
 *
 * <p>Redelivery is safe: event ids derive from the starting event's id, so a redelivered request
 * repeats the same events, which consumers drop, and an artifact staged by an earlier delivery is
 * announced again instead of paying for a second provider call. Once the provider has been asked,
 * every failure ends the run with {@code JobFailed} rather than a redelivery that would ask again.
 */
class JobRunner {
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

  /**
   * @param work runs the blocking steps (event acknowledgements, storage), never the provider wait
   */
  JobRunner(ProviderRegistry providers, ArtifactReader reader, ArtifactStager stager, LifecyclePublisher publisher,
      EventMetadataFactory metadata, Executor work, Duration providerTimeout) {
    this.providers = providers;
    this.reader = reader;
    this.stager = stager;
    this.publisher = publisher;
    this.metadata = metadata;
    this.work = work;
    this.providerTimeout = providerTimeout;
  }

  /**
   * Runs {@code run}; its first provider attempt is attempt 1, for a manual retry too.
   *
   * @return completes when the outcome event is acknowledged, or fails when an event could not be
   *     published or storage could not be read before the provider was asked (redeliver then)
   */
  CompletableFuture<Void> run(JobRun run) {
    int attempt = FIRST_ATTEMPT;
    return CompletableFuture.supplyAsync(() -> begin(run, attempt), work)
        .thenComposeAsync(earlier -> outcome(run, attempt, earlier), work)
        .thenAcceptAsync(publisher::publish, work);
  }

  /** Announces the run and its attempt, and finds what an earlier delivery staged for them. */
  private Optional<StagedArtifact> begin(JobRun run, int attempt) {
    publisher.publish(JobStarted.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.JOB_STARTED, 0))
        .build());
    publisher.publish(GenerationStarted.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.GENERATION_STARTED, attempt))
        .setProvider(run.spec().getProvider())
        .setModel(run.spec().getModel())
        .build());
    return stager.find(run, attempt);
  }

  private CompletableFuture<SpecificRecord> outcome(JobRun run, int attempt, Optional<StagedArtifact> earlier) {
    if (earlier.isPresent()) {
      log.info("Job {} run {} attempt {} was already generated and staged at {}: announcing it without a new call",
          run.jobId(), run.retryCount(), attempt, earlier.get().ref());
      // Same event id as the first announcement, if that got out: consumers count its cost once.
      return CompletableFuture.completedFuture(imageGenerated(run, attempt, earlier.get(), null));
    }
    return generate(run, attempt);
  }

  private CompletableFuture<SpecificRecord> generate(JobRun run, int attempt) {
    JobSpec spec = run.spec();
    GenerationRequest request = new GenerationRequest(
        run.jobId(), attempt, promptOf(spec), spec.getAspectRatio(), spec.getImageSize(), spec.getModel());
    return call(spec.getProvider(), request)
        .thenCompose(artifact -> reader.read(artifact)
            .thenApplyAsync(bytes -> stager.stage(run, attempt, bytes, artifact.usage().costMicros()), work)
            .thenApply(staged -> imageGenerated(run, attempt, staged, artifact.providerNotes())))
        .handle((generated, failure) -> failure == null ? generated : jobFailed(run, attempt, failure));
  }

  private CompletableFuture<ImageArtifact> call(String providerName, GenerationRequest request) {
    try {
      return providers.get(providerName).generate(request)
          .orTimeout(providerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // An unknown provider, or one that threw instead of failing its future.
      return CompletableFuture.failedFuture(e);
    }
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

  private SpecificRecord jobFailed(JobRun run, int attempt, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    ErrorClass errorClass;
    String code;
    String message;
    if (cause instanceof ProviderException provider) {
      errorClass = provider.errorClass();
      code = provider.code();
      message = provider.getMessage() != null ? provider.getMessage() : "The provider failed with " + errorClass;
    } else if (cause instanceof TimeoutException) {
      errorClass = ErrorClass.TIMEOUT;
      code = "PROVIDER_TIMEOUT";
      message = "Provider '" + run.spec().getProvider() + "' did not answer within " + providerTimeout;
    } else if (cause instanceof StorageException) {
      errorClass = ErrorClass.TEMPORARY;
      code = "STAGING_FAILED";
      Throwable reason = cause.getCause();
      message = "The generated image could not be staged: " + cause.getMessage()
          + (reason == null ? "" : " (" + reason.getMessage() + ")");
    } else {
      log.warn("Job {} run {} attempt {} failed unexpectedly", run.jobId(), run.retryCount(), attempt, cause);
      errorClass = ErrorClass.UNKNOWN;
      code = "INTERNAL_ERROR";
      message = "Generation failed unexpectedly: " + cause;
    }
    log.info("Job {} run {} attempt {} failed: {} {} {}", run.jobId(), run.retryCount(), attempt, errorClass, code, message);
    return JobFailed.newBuilder()
        .setMetadata(metadata.reacting(run.cause(), EventType.JOB_FAILED, attempt))
        .setFailureStage(FAILURE_STAGE)
        .setErrorClass(errorClass.name())
        .setErrorCode(code)
        .setMessage(message)
        .build();
  }

  /** The prompt sent to the provider: the client's prompt followed by the style capsule's text. */
  static String promptOf(JobSpec spec) {
    String style = spec.getStyleText();
    return style == null || style.isBlank() ? spec.getPrompt() : spec.getPrompt() + "\n\nStyle: " + style;
  }
}
