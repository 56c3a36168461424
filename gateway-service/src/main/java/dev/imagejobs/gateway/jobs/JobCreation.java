package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.idempotency.IdempotencyKey;
import dev.imagejobs.gateway.idempotency.IdempotencyKeys;
import dev.imagejobs.gateway.idempotency.StoredResponse;
import dev.imagejobs.gateway.outbox.Outbox;
import dev.imagejobs.gateway.readmodel.ApplyOutcome;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creates a job without touching Kafka: its {@code JobRequested} is applied to the read model
 * (through the projection's own code, so the row equals what a replay produces, as
 * {@code ReadModelProjectionIT} checks) and stored in the outbox in one transaction, together with
 * the idempotency key and the response when the request has one. The relay publishes the event
 * afterwards.
 */
@Component
class JobCreation {
  /** Canonical form of a request for its fingerprint: record components in declaration order. */
  private static final JsonMapper CANONICAL = JsonMapper.builder().build();
  /** A key claimed by someone else can expire between our claim and our look-up; try again then. */
  private static final int KEY_ATTEMPTS = 3;

  private final ReadModel readModel;
  private final Outbox outbox;
  private final TransactionalOperator transaction;
  private final EventMetadataFactory metadata;
  private final CostEstimator costs;
  private final JobsSettings settings;
  private final StyleCapsules capsules;
  private final IdempotencyKeys keys;
  private final JsonMapper json;

  JobCreation(
      ReadModel readModel,
      Outbox outbox,
      TransactionalOperator transaction,
      EventMetadataFactory gatewayMetadata,
      CostEstimator costs,
      JobsSettings settings,
      StyleCapsules capsules,
      IdempotencyKeys keys,
      JsonMapper json) {
    this.readModel = readModel;
    this.outbox = outbox;
    this.transaction = transaction;
    this.metadata = gatewayMetadata;
    this.costs = costs;
    this.settings = settings;
    this.capsules = capsules;
    this.keys = keys;
    this.json = json;
  }

  /**
   * Creates the job, or with a key already used for the same request, replays that response.
   *
   * @param traceparent the caller's W3C trace context; a new trace is started when absent or invalid
   * @param key the request's idempotency key, or {@code null}
   * @return the 202 response to send
   */
  Mono<StoredResponse> create(String tenantId, CreateJobRequest request, String traceparent, IdempotencyKey key) {
    return Mono.defer(() -> {
      JobSpec spec = spec(request, capsules.styleTextOf(request.styleCapsuleId()));
      if (key == null) {
        return transaction.transactional(insert(tenantId, spec, traceparent))
            .map(Created::response)
            .doOnSuccess(created -> outbox.committed());
      }
      return withKey(tenantId, spec, traceparent, key, IdempotencyKeys.fingerprint(canonical(request)), KEY_ATTEMPTS);
    });
  }

  private Mono<StoredResponse> withKey(
      String tenantId, JobSpec spec, String traceparent, IdempotencyKey key, String fingerprint, int attempts) {
    Mono<StoredResponse> claimAndCreate = keys.claim(tenantId, key, fingerprint)
        .flatMap(claimed -> claimed
            ? insert(tenantId, spec, traceparent).flatMap(created ->
                keys.complete(tenantId, key, created.jobId(), created.response()).thenReturn(created.response()))
            : Mono.error(new KeyTaken()));
    return transaction.transactional(claimAndCreate)
        .doOnSuccess(created -> outbox.committed())
        .onErrorResume(KeyTaken.class, taken -> keys.replay(tenantId, key, fingerprint)
            .switchIfEmpty(Mono.defer(() -> attempts > 1
                ? withKey(tenantId, spec, traceparent, key, fingerprint, attempts - 1)
                : Mono.error(new IllegalStateException("Idempotency key neither claimable nor replayable")))));
  }

  /** Applies the new job's {@code JobRequested} and stores it in the outbox. Call inside a transaction. */
  private Mono<Created> insert(String tenantId, JobSpec spec, String traceparent) {
    String jobId = UUID.randomUUID().toString();
    LifecycleEvent event = LifecycleEvent.of(JobRequested.newBuilder()
        .setMetadata(metadata.first(jobId, tenantId, traceparent))
        .setSpec(spec)
        .build());
    return readModel.apply(event, null)
        .map(outcome -> {
          if (outcome.result() != ApplyOutcome.Result.APPLIED) {
            throw new IllegalStateException("A new job's JobRequested was not applied: " + outcome.result());
          }
          return outcome.row();
        })
        .flatMap(row -> outbox.append(event).thenReturn(new Created(jobId, new StoredResponse(
            HttpStatus.ACCEPTED.value(), JobView.location(jobId), json.writeValueAsString(JobView.of(row)), false))));
  }

  private JobSpec spec(CreateJobRequest request, String styleText) {
    return JobSpec.newBuilder()
        .setJobType(JobType.valueOf(request.jobType()))
        .setProjectId(request.projectId())
        .setBranchId(request.branchId())
        .setSceneId(request.sceneId())
        .setShotId(request.shotId())
        .setAssetId(request.assetId())
        .setPrompt(request.prompt())
        .setStyleCapsuleId(request.styleCapsuleId())
        .setStyleText(styleText)
        .setAspectRatio(request.aspectRatio())
        .setImageSize(request.imageSize())
        .setProvider(settings.provider())
        .setModel(settings.model())
        .setEstimatedCostMicros(costs.estimateMicros(settings.model(), request.imageSize()))
        .build();
  }

  private static String canonical(CreateJobRequest request) {
    return CANONICAL.writeValueAsString(request);
  }

  private record Created(String jobId, StoredResponse response) {}

  /** The key is held by a live claim; rolls the transaction back so nothing of ours is kept. */
  private static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super("Idempotency key already claimed", null, false, false);
    }
  }
}
