package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.budgets.Budgets;
import dev.imagejobs.gateway.idempotency.IdempotencyKey;
import dev.imagejobs.gateway.idempotency.IdempotencyKeys;
import dev.imagejobs.gateway.idempotency.StoredResponse;
import dev.imagejobs.gateway.outbox.Outbox;
import dev.imagejobs.gateway.ratelimit.BacklogLimit;
import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.Priority;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.SqlPart;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creates a job without touching Kafka, in one SQL statement and one commit: the admission check
 * ({@link BacklogLimit}), the idempotency key with the response (when the request has a key), the
 * job row and its {@code JobRequested} in the history (folded by the read model's own code, so the
 * row equals what a replay produces, as {@code ReadModelProjectionIT} checks), the tenant's backlog
 * count and the outbox row all commit together or not at all. The relay publishes the event
 * afterwards. No lock is taken beyond the new rows, so creations never wait for each other.
 */
@Component
class JobCreation {
  /**
   * Canonical form of a request for its fingerprint: record components in declaration order, the
   * body as sent (an absent priority differs from one named, even the job type's default).
   */
  private static final JsonMapper CANONICAL = JsonMapper.builder().build();
  /** A key claimed by someone else can expire between our claim and our look-up; try again then. */
  private static final int KEY_ATTEMPTS = 3;

  private final ReadModel readModel;
  private final Outbox outbox;
  private final CommittedEvents committed;
  private final BacklogLimit backlog;
  private final Budgets budgets;
  private final DatabaseClient db;
  private final EventMetadataFactory metadata;
  private final CostEstimator costs;
  private final JobsSettings settings;
  private final StyleCapsules capsules;
  private final IdempotencyKeys keys;
  private final JsonMapper json;
  private final ReferenceResolver references;
  private final ModelCatalogue catalogue;

  JobCreation(
      ReadModel readModel,
      Outbox outbox,
      CommittedEvents committed,
      BacklogLimit backlog,
      Budgets budgets,
      DatabaseClient db,
      EventMetadataFactory gatewayMetadata,
      CostEstimator costs,
      JobsSettings settings,
      StyleCapsules capsules,
      IdempotencyKeys keys,
      JsonMapper json,
      ReferenceResolver references,
      ModelCatalogue catalogue) {
    this.references = references;
    this.catalogue = catalogue;
    this.readModel = readModel;
    this.outbox = outbox;
    this.committed = committed;
    this.backlog = backlog;
    this.budgets = budgets;
    this.db = db;
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
   * @return the 202 response to send; errors with a 429 problem when the tenant's backlog is full
   */
  Mono<StoredResponse> create(String tenantId, CreateJobRequest request, String traceparent, IdempotencyKey key) {
    return Mono.defer(() -> {
      String fingerprint = key == null ? null : IdempotencyKeys.fingerprint(canonical(request));
      return orReplay(resolve(tenantId, request, "")
          .flatMap(resolved -> attempt(tenantId, spec(request, null, resolved), traceparent, key, fingerprint,
              KEY_ATTEMPTS)), tenantId, key, fingerprint);
    });
  }

  /**
   * A creation that answers with the stored answer of an earlier request with the same key and body
   * when it is refused: what a request names can stop resolving after its first answer (a reference
   * image or a style capsule deleted since), and a repeat must still get that first answer.
   */
  Mono<StoredResponse> orReplay(Mono<StoredResponse> creation, String tenantId, IdempotencyKey key,
      String fingerprint) {
    return key == null ? creation : creation.onErrorResume(ErrorResponseException.class,
        refused -> keys.replay(tenantId, key, fingerprint).switchIfEmpty(Mono.error(refused)));
  }

  private Mono<StoredResponse> attempt(
      String tenantId, JobSpec spec, String traceparent, IdempotencyKey key, String fingerprint, int attempts) {
    // Admitted by the backlog, then within the project's budget, then (with a key) the key claimed.
    Draft draft = draft(tenantId, spec, traceparent, key == null ? Budgets.BUDGETED : "claimed",
        ReadModel.requestBacklogShard());
    StoredResponse response = new StoredResponse(HttpStatus.ACCEPTED.value(), JobView.location(draft.jobId()),
        json.writeValueAsString(JobView.of(draft.job().row())), false);
    SqlPart claim = key == null ? null
        : keys.claimed(Budgets.BUDGETED, tenantId, key, fingerprint, draft.jobId(), response);
    return run(statement(tenantId, draft, claim)).flatMap(outcome -> {
      if (outcome.created()) {
        committed();
        return Mono.just(response);
      }
      Mono<StoredResponse> refused = refusal(outcome, tenantId, spec);
      if (key == null) {
        return refused != null ? refused
            : Mono.error(new IllegalStateException("A job within every limit was not created"));
      }
      // The key is held (or the job was refused): a stored response for this key wins either way.
      Mono<StoredResponse> retry = refused != null
          ? refused
          : attempts > 1
              ? attempt(tenantId, spec, traceparent, key, fingerprint, attempts - 1)
              : Mono.error(new IllegalStateException("Idempotency key neither claimable nor replayable"));
      return keys.replay(tenantId, key, fingerprint).switchIfEmpty(retry);
    });
  }

  /**
   * Writes one job of a batch in the caller's transaction: admitted by the tenant's backlog (which
   * counts the batch's earlier jobs), then within its project's budget (which has their
   * reservations). Errors with the refusal's problem when either refuses it.
   */
  Mono<Void> insertInBatch(String tenantId, Draft draft) {
    return run(statement(tenantId, draft, null)).flatMap(outcome -> {
      if (outcome.created()) {
        return Mono.empty();
      }
      Mono<Void> refused = refusal(outcome, tenantId, draft.spec());
      return refused != null ? refused
          : Mono.error(new IllegalStateException("A job of a batch within every limit was not created"));
    });
  }

  /** Wakes the relay and the event streams after a commit that created jobs. */
  void committed() {
    outbox.committed();
    committed.announce();
  }

  /**
   * A job to create: its id, its {@code JobRequested} and its row as the read model's fold makes it.
   *
   * @param guard the statement part that must return a row for the job to be written
   * @param backlogShard the {@code tenant_backlog} shard its queued count goes to
   */
  Draft draft(String tenantId, JobSpec spec, String traceparent, String guard, int backlogShard) {
    String jobId = UUID.randomUUID().toString();
    LifecycleEvent event = LifecycleEvent.of(JobRequested.newBuilder()
        .setMetadata(metadata.first(jobId, tenantId, 0, traceparent))
        .setSpec(spec)
        .build());
    return new Draft(jobId, spec, event, readModel.newJob(event, guard, backlogShard));
  }

  /**
   * The one statement that creates a job: the admission check, the budget check, the key's claim
   * when there is one, the job with its event, the outbox row and the budget's reservation.
   */
  private SqlPart statement(String tenantId, Draft draft, SqlPart claim) {
    long estimate = draft.spec().getEstimatedCostMicros();
    List<SqlPart> parts = new ArrayList<>(List.of(backlog.admitted(tenantId),
        budgets.budgeted(BacklogLimit.ADMITTED, tenantId, draft.spec().getProjectId(), estimate)));
    if (claim != null) {
      parts.add(claim);
    }
    parts.add(draft.job().insert());
    parts.add(outbox.appended("new_job", draft.event()));
    parts.add(budgets.reserved("new_job", draft.jobId(), 0));
    return SqlPart.with(parts, new SqlPart(
        "SELECT EXISTS (SELECT FROM " + BacklogLimit.ADMITTED + ") AS admitted, EXISTS (SELECT FROM "
            + Budgets.BUDGETED + ") AS budgeted, EXISTS (SELECT FROM new_job) AS created",
        Map.of()));
  }

  private Mono<Outcome> run(SqlPart statement) {
    return statement.on(db)
        .map(row -> new Outcome(row.get("admitted", Boolean.class), row.get("budgeted", Boolean.class),
            row.get("created", Boolean.class)))
        .one();
  }

  /** The answer to a job the backlog or the budget refused; null when neither did. */
  private <T> Mono<T> refusal(Outcome outcome, String tenantId, JobSpec spec) {
    long estimate = spec.getEstimatedCostMicros();
    return !outcome.admitted()
        ? Mono.error(backlog.refused())
        : !outcome.budgeted()
            ? budgets.find(tenantId, spec.getProjectId())
                .flatMap(budget -> Mono.<T>error(budgets.exceeded(budget, estimate)))
            : null;
  }

  /**
   * What a request names beyond its own fields: its style capsule, an edit's source and mask, and
   * its reference images (the start frame, the request's, then the capsule's).
   *
   * @param fieldPrefix put before field names in errors, e.g. {@code jobs[2].} for a batch's third job
   * @return errors with a 400 or 422 problem when one of them cannot be used
   */
  Mono<Resolved> resolve(String tenantId, CreateJobRequest request, String fieldPrefix) {
    String model = settings.model();
    Optional<String> tooMany = catalogue.capabilitiesOf(model).variantsRefusal(model, request.variantCount());
    if (tooMany.isPresent()) {
      return Mono.error(InvalidInputException.unprocessable("Too many variants",
          "The model cannot make that many variants", List.of(new FieldMessage(fieldPrefix + "variants", tooMany.get()))));
    }
    return capsules.resolve(tenantId, request.projectId(), request.styleCapsuleId(), fieldPrefix + "styleCapsuleId")
        .flatMap(capsule -> references.edit(tenantId, request, model, fieldPrefix)
            .flatMap(edit -> references.resolve(tenantId, request, model, fieldPrefix, capsule.references(),
                    edit.orElse(null))
                .map(all -> new Resolved(capsule, all, edit.orElse(null)))));
  }

  /**
   * The spec of a requested job.
   *
   * @param batchId the batch it is created in, or null
   * @param resolved its capsule and reference images, as {@link #resolve} found them
   */
  JobSpec spec(CreateJobRequest request, String batchId, Resolved resolved) {
    List<JobReference> references = resolved.references();
    ReferenceResolver.FoundEdit edit = resolved.edit();
    JobRow source = edit == null ? null : edit.sourceJob();
    JobType type = JobType.valueOf(request.jobType());
    Priority priority = request.priority() == null
        ? settings.priorities().of(type)
        : Priority.fromWireName(request.priority()).orElseThrow();
    return JobSpec.newBuilder()
        .setJobType(type)
        .setProjectId(request.projectId())
        .setBranchId(request.branchId())
        // An edit belongs where its source does: the same scene and shot, or asset.
        .setSceneId(source != null ? source.sceneId() : request.sceneId())
        .setShotId(source != null ? source.shotId() : request.shotId())
        .setAssetId(source != null ? source.assetId() : request.assetId())
        .setPrompt(request.prompt())
        .setStyleCapsuleId(request.styleCapsuleId())
        .setStyleText(resolved.capsule().styleText())
        .setStyleCapsuleVersion(resolved.capsule().version())
        .setAspectRatio(request.aspectRatio() != null ? request.aspectRatio()
            : AspectRatios.nearest(edit.edit().source().width(), edit.edit().source().height()))
        .setImageSize(request.imageSize())
        .setProvider(settings.provider())
        .setModel(settings.model())
        // An edit's source is one more image the model reads; each variant is a call of its own.
        .setEstimatedCostMicros(request.variantCount() * costs.estimateMicros(settings.model(), request.imageSize(),
            references.size() + (edit == null ? 0 : 1)))
        .setPriority(priority.avro())
        .setBatchId(batchId)
        .setReferences(references.stream().map(JobReference::avro).toList())
        .setEdit(edit == null ? null : edit.edit().avro())
        .setVariants(request.variantCount())
        .build();
  }

  static String canonical(Object request) {
    return CANONICAL.writeValueAsString(request);
  }

  /**
   * What the creation statement did.
   *
   * @param admitted whether the tenant's backlog had room
   * @param created whether the job was created (false when the key was held by another request)
   */
  private record Outcome(boolean admitted, boolean budgeted, boolean created) {}

  /**
   * A job ready to be written.
   *
   * @param jobId its new id
   * @param spec what was asked for
   * @param event its {@code JobRequested}
   * @param job its row and the statement part that inserts it
   */
  record Draft(String jobId, JobSpec spec, LifecycleEvent event, ReadModel.NewJob job) {}

  /**
   * What {@link #resolve} found for a request.
   *
   * @param capsule its style capsule, {@link StyleCapsules.Capsule#NONE} when it names none
   * @param references every reference image the job sends, in order
   * @param edit an EDIT job's source and mask, null for every other job
   */
  record Resolved(StyleCapsules.Capsule capsule, List<JobReference> references, ReferenceResolver.FoundEdit edit) {}
}
