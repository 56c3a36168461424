package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.budgets.Budgets;
import dev.imagejobs.gateway.outbox.Outbox;
import dev.imagejobs.gateway.readmodel.ApplyOutcome;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.ConsumedEvent;
import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.JobVariant;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.VariantSelected;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Retry and cancel, the gateway's commands on existing jobs. Like creation, each applies its event
 * to the read model and stores it in the outbox in one transaction, with the job locked, so two
 * racing commands cannot both pass the status check.
 */
@Component
class JobCommands {
  static final String CANCEL_REASON = "requested through the API";


  private final ReadModel readModel;
  private final Outbox outbox;
  private final CommittedEvents committed;
  private final TransactionalOperator transaction;
  private final EventMetadataFactory metadata;
  private final Budgets budgets;

  JobCommands(ReadModel readModel, Outbox outbox, CommittedEvents committed, TransactionalOperator transaction,
      EventMetadataFactory gatewayMetadata, Budgets budgets) {
    this.budgets = budgets;
    this.readModel = readModel;
    this.outbox = outbox;
    this.committed = committed;
    this.transaction = transaction;
    this.metadata = gatewayMetadata;
  }

  /**
   * Queues a failed job again with its spec: {@code JobRetryRequested} with the retry count + 1,
   * which reserves the run's estimated cost in the project's budget.
   *
   * @return the job after the retry request; errors with 404, 409 or 402 problems
   */
  Mono<JobRow> retry(String tenantId, String jobId, String traceparent) {
    return command(tenantId, jobId, row -> {
      if (row.status() != JobStatus.FAILED) {
        return Mono.error(new JobStateConflictException(jobId, row.status(), "only failed jobs can be retried"));
      }
      int run = row.retryCount() + 1;
      return budgets.reserveRun(row.tenantId(), row.projectId(), row.jobId(), run, row.estimatedCostMicros())
          .flatMap(refused -> refused.isPresent() ? Mono.<JobRow>error(refused.get())
              : applyAndAppend(LifecycleEvent.of(JobRetryRequested.newBuilder()
                  .setMetadata(metadata.first(row.jobId(), row.tenantId(), run, traceparent))
                  .setSpec(spec(row))
                  .setRetryCount(run)
                  .build())));
    });
  }

  /**
   * Asks the service holding a job that has not ended to stop it ({@code JobCancelRequested}); the
   * job becomes {@code canceled} when that service answers with {@code JobCanceled}. Asking again
   * changes nothing.
   *
   * @return the job after the request; errors with 404 or 409 problems
   */
  Mono<JobRow> cancel(String tenantId, String jobId, String traceparent) {
    return command(tenantId, jobId, row -> {
      if (row.status().isTerminal()) {
        return Mono.error(
            new JobStateConflictException(jobId, row.status(), "only jobs that have not ended can be canceled"));
      }
      if (row.cancelRequested()) {
        return Mono.just(row);
      }
      return applyAndAppend(LifecycleEvent.of(JobCancelRequested.newBuilder()
          .setMetadata(metadata.first(row.jobId(), row.tenantId(), row.retryCount(), traceparent))
          .setReason(CANCEL_REASON)
          .build()));
    });
  }

  /**
   * Chooses a stored variant of a completed job as its image ({@code VariantSelected}); the upload
   * service then places it at the job's path. Choosing the variant already chosen changes nothing.
   *
   * @return the job after the choice; errors with 404, 409 (not completed) or 422 (no such stored
   *     variant) problems
   */
  Mono<JobRow> select(String tenantId, String jobId, int variant, String traceparent) {
    return command(tenantId, jobId, row -> {
      if (row.status() != JobStatus.COMPLETED) {
        return Mono.error(new JobStateConflictException(jobId, row.status(),
            "a variant is chosen once the job has completed"));
      }
      if (Integer.valueOf(variant).equals(row.selectedVariant())) {
        return Mono.just(row);
      }
      Optional<JobVariant> chosen = row.variant(variant).filter(JobVariant::isStored);
      if (chosen.isEmpty()) {
        String why = row.variants().isEmpty() ? "job " + jobId + " made one image, not variants"
            : row.variant(variant).map(found -> "variant " + variant + " " + found.status()
                + (found.errorMessage() == null ? "" : ": " + TenantText.of(found.errorMessage())))
                .orElse("job " + jobId + " has variants 1 to " + row.variants().size());
        return Mono.error(InvalidInputException.unprocessable("Variant cannot be chosen", why,
            List.of(new FieldMessage("variant", why))));
      }
      JobVariant image = chosen.get();
      return applyAndAppend(LifecycleEvent.of(VariantSelected.newBuilder()
          .setMetadata(metadata.first(row.jobId(), row.tenantId(), row.retryCount(), traceparent))
          .setVariant(variant)
          .setStoragePath(image.storagePath())
          .setJobStoragePath(row.storagePath())
          .setContentType(image.contentType())
          .setSizeBytes(image.sizeBytes())
          .setSha256(image.sha256())
          .setWidth(image.width())
          .setHeight(image.height())
          .build()));
    });
  }

  private Mono<JobRow> command(String tenantId, String jobId, Function<JobRow, Mono<JobRow>> change) {
    return ReadModel.inTransaction(transaction, () -> readModel.lockForUpdate(jobId)
            .filter(row -> row.tenantId().equals(tenantId))
            .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No job " + jobId)))
            .flatMap(change))
        .doOnSuccess(row -> {
          outbox.committed();
          committed.announce();
        });
  }

  private Mono<JobRow> applyAndAppend(LifecycleEvent event) {
    int shard = ReadModel.requestBacklogShard();
    return readModel.apply(List.of(new ConsumedEvent(event, null)), shard).flatMap(outcomes -> {
      ApplyOutcome outcome = outcomes.get(0);
      if (outcome.result() != ApplyOutcome.Result.APPLIED) {
        // The row is locked and was checked, so only a bug gets here; roll back rather than send.
        return Mono.error(new IllegalStateException(
            event.type().simpleName() + " of job " + event.jobId() + " was not applied: " + outcome.result()));
      }
      return outbox.append(event).thenReturn(outcome.row());
    });
  }

  /**
   * The job's spec as it was asked for, its priority included, so the retry generates the same
   * image request and waits in the same rank.
   */
  private static JobSpec spec(JobRow row) {
    return JobSpec.newBuilder()
        .setJobType(JobType.valueOf(row.jobType()))
        .setProjectId(row.projectId())
        .setBranchId(row.branchId())
        .setSceneId(row.sceneId())
        .setShotId(row.shotId())
        .setAssetId(row.assetId())
        .setPrompt(row.prompt())
        .setStyleCapsuleId(row.styleCapsuleId())
        .setStyleText(row.styleText())
        .setStyleCapsuleVersion(row.styleCapsuleVersion())
        .setAspectRatio(row.aspectRatio())
        .setImageSize(row.imageSize())
        .setProvider(row.provider())
        .setModel(row.model())
        .setEstimatedCostMicros(row.estimatedCostMicros())
        .setPriority(row.priority().avro())
        .setBatchId(row.batchId())
        .setReferences(row.references().stream().map(JobReference::avro).toList())
        .setEdit(row.edit() == null ? null : row.edit().avro())
        .setVariants(row.variantCount())
        .build();
  }
}
