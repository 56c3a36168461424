package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.budgets.Budgets;
import dev.imagejobs.gateway.idempotency.IdempotencyKey;
import dev.imagejobs.gateway.idempotency.IdempotencyKeys;
import dev.imagejobs.gateway.idempotency.StoredResponse;
import dev.imagejobs.gateway.readmodel.ReadModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creates a batch of jobs, all or none, in one transaction: the idempotency key (when the request
 * has one) is claimed first, then each job is written with the statement that creates a single job
 * ({@link JobCreation}), so each is admitted by the tenant's backlog and fits its project's budget
 * as one job, counting the batch's jobs before it. The first refusal rolls everything back and is
 * the answer, naming the job by its index. The jobs carry the batch's id in their specs, so their
 * events, the read model and a replay of the history all know the batch.
 */
@Component
class BatchCreation {
  /** A key claimed by someone else can expire between our claim and our look-up; try again then. */
  private static final int KEY_ATTEMPTS = 3;

  private final JobCreation creation;
  private final TransactionalOperator transaction;
  private final IdempotencyKeys keys;
  private final JsonMapper json;

  BatchCreation(JobCreation creation, TransactionalOperator transaction, IdempotencyKeys keys, JsonMapper json) {
    this.creation = creation;
    this.transaction = transaction;
    this.keys = keys;
    this.json = json;
  }

  /**
   * Creates the batch, or with a key already used for the same request, replays that response.
   *
   * @return the 202 response to send; errors with the problem of the first job refused
   */
  Mono<StoredResponse> create(String tenantId, CreateBatchRequest request, String traceparent, IdempotencyKey key) {
    return Mono.defer(() -> {
      String fingerprint = key == null ? null : IdempotencyKeys.fingerprint(JobCreation.canonical(request));
      return creation.orReplay(Flux.range(0, request.jobs().size())
          .concatMap(i -> creation.resolve(tenantId, request.jobs().get(i), "jobs[" + i + "]."))
          .collectList()
          .flatMap(resolved -> attempt(tenantId, request, resolved, traceparent, key, fingerprint, KEY_ATTEMPTS)),
          tenantId, key, fingerprint);
    });
  }

  private Mono<StoredResponse> attempt(String tenantId, CreateBatchRequest request,
      List<JobCreation.Resolved> resolved, String traceparent, IdempotencyKey key, String fingerprint,
      int attempts) {
    String batchId = UUID.randomUUID().toString();
    // One backlog shard for the whole batch: its jobs add to one row instead of locking several.
    int shard = ReadModel.requestBacklogShard();
    List<JobCreation.Draft> drafts = new ArrayList<>();
    for (int i = 0; i < request.jobs().size(); i++) {
      drafts.add(creation.draft(tenantId,
          creation.spec(request.jobs().get(i), batchId, resolved.get(i)),
          traceparent, Budgets.BUDGETED, shard));
    }
    StoredResponse response = new StoredResponse(HttpStatus.ACCEPTED.value(), BatchView.location(batchId),
        json.writeValueAsString(BatchView.of(batchId, drafts.stream().map(draft -> draft.job().row()).toList())),
        false);
    Mono<Boolean> claimed = key == null ? Mono.just(true) : keys.claim(tenantId, key, fingerprint, response);
    return ReadModel.inTransaction(transaction, () -> claimed.flatMap(claim -> !claim
            ? Mono.just(Optional.<StoredResponse>empty())
            : Flux.range(0, drafts.size())
                .concatMap(i -> creation.insertInBatch(tenantId, drafts.get(i))
                    .onErrorMap(ErrorResponseException.class, refused -> ofJob(refused, i)))
                .then(Mono.just(Optional.of(response)))))
        .flatMap(created -> {
          if (created.isPresent()) {
            creation.committed();
            return Mono.just(created.get());
          }
          // Another request with this key committed first: its response is the answer.
          Mono<StoredResponse> retry = attempts > 1
              ? attempt(tenantId, request, resolved, traceparent, key, fingerprint, attempts - 1)
              : Mono.error(new IllegalStateException("Idempotency key neither claimable nor replayable"));
          return keys.replay(tenantId, key, fingerprint).switchIfEmpty(retry);
        });
  }

  /** Says which job of the batch was refused: {@code jobIndex} and the detail prefixed with {@code jobs[i]}. */
  private static ErrorResponseException ofJob(ErrorResponseException refused, int index) {
    refused.getBody().setProperty("jobIndex", index);
    refused.getBody().setDetail("jobs[" + index + "]: " + refused.getBody().getDetail()
        + "; no job of the batch was created");
    return refused;
  }
}
