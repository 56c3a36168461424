package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one requested job: {@code JobStarted}, {@code GenerationStarted}, then the provider call and
 * {@code ImageGenerated} or {@code JobFailed} at stage {@code generating}. Event ids derive from the
 * request's event id, so a redelivered request repeats the same events, which consumers drop; the
 * artifact staged by an earlier delivery is reused instead of paying for a second provider call.
 */
class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  static final int FIRST_ATTEMPT = 1;

  private final ProviderRegistry providers;
  private final ArtifactStager stager;
  private final LifecyclePublisher publisher;
  private final EventMetadataFactory metadata;

  JobRunner(ProviderRegistry providers, ArtifactStager stager, LifecyclePublisher publisher, EventMetadataFactory metadata) {
    this.providers = providers;
    this.stager = stager;
    this.publisher = publisher;
    this.metadata = metadata;
  }

  /** Runs the job asked for by {@code cause} ({@code JobRequested} or {@code JobRetryRequested}). */
  void run(EventMetadata cause, JobSpec spec) {
    String jobId = cause.getJobId();
    publisher.publish(JobStarted.newBuilder().setMetadata(metadata.reacting(cause, EventType.JOB_STARTED, 0)).build());
    int attempt = FIRST_ATTEMPT;
    publisher.publish(GenerationStarted.newBuilder()
        .setMetadata(metadata.reacting(cause, EventType.GENERATION_STARTED, attempt))
        .setProvider(spec.getProvider())
        .setModel(spec.getModel())
        .build());
    try {
      Optional<StagedArtifact> earlier = stager.find(jobId, attempt);
      StagedArtifact staged;
      long costMicros;
      String notes;
      if (earlier.isPresent()) {
        log.info("Job {} attempt {} was already generated and staged at {}: reusing it", jobId, attempt, earlier.get().ref());
        staged = earlier.get();
        costMicros = 0;
        notes = null;
      } else {
        ImageProvider provider = providers.get(spec.getProvider());
        ImageArtifact artifact = provider.generate(new GenerationRequest(
            jobId, attempt, promptOf(spec), spec.getAspectRatio(), spec.getImageSize(), spec.getModel()));
        staged = stager.stage(jobId, cause.getTenantId(), attempt, artifact);
        costMicros = artifact.usage().costMicros();
        notes = artifact.providerNotes();
      }
      publisher.publish(ImageGenerated.newBuilder()
          .setMetadata(metadata.reacting(cause, EventType.IMAGE_GENERATED, attempt))
          .setSpec(spec)
          .setStagedRef(staged.ref())
          .setContentType(staged.contentType())
          .setSizeBytes(staged.sizeBytes())
          .setSha256(staged.sha256())
          .setWidth(staged.width())
          .setHeight(staged.height())
          .setProvider(spec.getProvider())
          .setModel(spec.getModel())
          .setActualCostMicros(costMicros)
          .setProviderNotes(notes)
          .build());
    } catch (ProviderException e) {
      log.info("Job {} attempt {} failed: {} {} {}", jobId, attempt, e.errorClass(), e.code(), e.getMessage());
      publisher.publish(JobFailed.newBuilder()
          .setMetadata(metadata.reacting(cause, EventType.JOB_FAILED, attempt))
          .setFailureStage(JobStatus.GENERATING.wireName())
          .setErrorClass(e.errorClass().name())
          .setErrorCode(e.code())
          .setMessage(e.getMessage())
          .build());
    }
  }

  /** The prompt sent to the provider: the client's prompt followed by the style capsule's text. */
  static String promptOf(JobSpec spec) {
    String style = spec.getStyleText();
    return style == null || style.isBlank() ? spec.getPrompt() : spec.getPrompt() + "\n\nStyle: " + style;
  }
}
