package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.idempotency.IdempotencyKey;
import dev.imagejobs.gateway.idempotency.IdempotencyKeys;
import dev.imagejobs.gateway.ratelimit.CreationRateLimiter;
import dev.imagejobs.gateway.ratelimit.CreationsInFlight;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.JobTracing;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Batches: up to {@value CreateBatchRequest#MAX_JOBS} jobs created in one request, all or none,
 * and a batch's view. A batch's event stream is served with the other streams
 * ({@code /api/v1/images/batches/{batchId}/events}).
 */
@RestController
@Tag(name = "batches", description = "Many jobs in one request")
class BatchesController {
  static final String BATCHES = "/api/v1/images/batches";

  private final BatchCreation creation;
  private final ReadModel readModel;
  private final IdempotencyKeys idempotencyKeys;
  private final CreationRateLimiter rateLimiter;
  private final CreationsInFlight inFlight;
  private final JobTracing tracing;

  BatchesController(BatchCreation creation, ReadModel readModel, IdempotencyKeys idempotencyKeys,
      CreationRateLimiter rateLimiter, CreationsInFlight inFlight, JobTracing tracing) {
    this.creation = creation;
    this.readModel = readModel;
    this.idempotencyKeys = idempotencyKeys;
    this.rateLimiter = rateLimiter;
    this.inFlight = inFlight;
    this.tracing = tracing;
  }

  @Operation(summary = "Create a batch of jobs", description = "Creates 1 to 100 jobs, each body as for "
      + "POST /api/v1/images/jobs, all or none in one transaction. Each job counts as one against the tenant's rate "
      + "limit and queued jobs and its project's budget; the first job refused is the answer (its index in jobIndex "
      + "and in the detail) and nothing is created. With an Idempotency-Key, the same key and body give the same "
      + "batch and the same response; the same key with another body gives 422.")
  @ApiResponse(responseCode = "202", description = "The batch, every job queued, or the replayed response of an "
      + "earlier request", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = BatchView.class)))
  @ApiResponse(responseCode = "422", description = "More jobs than the tenant may create at once, or an "
      + "Idempotency-Key used with another body")
  @ApiResponse(responseCode = "503", description = "This gateway instance runs as many creations as it may at once; "
      + "nothing was created, try again after Retry-After")
  @PostMapping(path = BATCHES, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<String>> create(
      @Valid @RequestBody CreateBatchRequest body,
      Tenant tenant,
      @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
      ServerWebExchange exchange) {
    String traceparent = JobsController.traceOf(exchange, tracing);
    IdempotencyKey key = idempotencyKey == null ? null : idempotencyKeys.parse(idempotencyKey);
    rateLimiter.acquire(tenant.id(), body.jobs().size());
    return inFlight.admit(() -> creation.create(tenant.id(), body, traceparent, key))
        .map(JobsController::response);
  }

  @Operation(summary = "Read a batch", description = "Its jobs in the order they were asked for, how many are in "
      + "each status, whether all have ended, and their estimated and actual cost.")
  @ApiResponse(responseCode = "200", description = "The batch")
  @ApiResponse(responseCode = "404", description = "No such batch for this tenant")
  @GetMapping(path = BATCHES + "/{batchId}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<BatchView> get(@PathVariable String batchId, Tenant tenant) {
    if (!Ids.isValid(batchId)) {
      return Mono.error(new InvalidInputException("batchId", Ids.MESSAGE));
    }
    return readModel.jobsOfBatch(tenant.id(), batchId)
        .collectList()
        .filter(rows -> !rows.isEmpty())
        .map(rows -> BatchView.of(batchId, rows))
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No batch " + batchId)));
  }
}
