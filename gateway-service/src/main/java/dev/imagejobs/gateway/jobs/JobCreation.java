package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.outbox.Outbox;
import dev.imagejobs.gateway.readmodel.ApplyOutcome;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Creates a job without touching Kafka: its {@code JobRequested} is applied to the read model
 * (through the projection's own code, so the row equals what a replay produces, as
 * {@code ReadModelProjectionIT} checks) and stored in the outbox in one transaction. The relay
 * publishes it afterwards.
 */
@Component
class JobCreation {
  private final ReadModel readModel;
  private final Outbox outbox;
  private final TransactionalOperator transaction;
  private final EventMetadataFactory metadata;
  private final CostEstimator costs;
  private final JobsSettings settings;

  JobCreation(
      ReadModel readModel,
      Outbox outbox,
      TransactionalOperator transaction,
      EventMetadataFactory gatewayMetadata,
      CostEstimator costs,
      JobsSettings settings) {
    this.readModel = readModel;
    this.outbox = outbox;
    this.transaction = transaction;
    this.metadata = gatewayMetadata;
    this.costs = costs;
    this.settings = settings;
  }

  /**
   * @param traceparent the caller's W3C trace context; a new trace is started when absent or invalid
   */
  Mono<JobRow> create(String tenantId, CreateJobRequest request, String traceparent) {
    String jobId = UUID.randomUUID().toString();
    LifecycleEvent event = LifecycleEvent.of(JobRequested.newBuilder()
        .setMetadata(metadata.first(jobId, tenantId, traceparent))
        .setSpec(spec(request))
        .build());
    Mono<JobRow> create = readModel.apply(event, null)
        .map(outcome -> {
          if (outcome.result() != ApplyOutcome.Result.APPLIED) {
            throw new IllegalStateException("A new job's JobRequested was not applied: " + outcome.result());
          }
          return outcome.row();
        })
        .flatMap(row -> outbox.append(event).thenReturn(row));
    return transaction.transactional(create).doOnSuccess(row -> outbox.committed());
  }

  private JobSpec spec(CreateJobRequest request) {
    return JobSpec.newBuilder()
        .setJobType(JobType.valueOf(request.jobType()))
        .setProjectId(request.projectId())
        .setBranchId(request.branchId())
        .setSceneId(request.sceneId())
        .setShotId(request.shotId())
        .setAssetId(request.assetId())
        .setPrompt(request.prompt())
        .setStyleCapsuleId(request.styleCapsuleId())
        .setAspectRatio(request.aspectRatio())
        .setImageSize(request.imageSize())
        .setProvider(settings.provider())
        .setModel(settings.model())
        .setEstimatedCostMicros(costs.estimateMicros(settings.model(), request.imageSize()))
        .build();
  }
}
