package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.idempotency.IdempotencyKey;
import dev.imagejobs.gateway.idempotency.IdempotencyKeys;
import dev.imagejobs.gateway.idempotency.StoredResponse;
import dev.imagejobs.gateway.ratelimit.CreationRateLimiter;
import dev.imagejobs.gateway.ratelimit.CreationsInFlight;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.JobVariant;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.CloudEventHeaders;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The jobs API: create (with idempotency keys), read, list, retry, cancel, fetch the image;
 * creation, retry and cancel share the tenant's rate limit. Every job is seen only by its tenant; another tenant's job is a 404.
 * {@code /api/images/generate} and {@code /api/images/jobs/{jobId}} are aliases kept for clients
 * of the original API.
 */
@RestController
@Tag(name = "jobs", description = "Image jobs")
class JobsController {
  static final String JOBS = "/api/v1/images/jobs";
  static final String STYLE_CAPSULES = "/api/v1/images/style-capsules";
  static final String MODEL = "/api/v1/images/model";
  static final String LEGACY_GENERATE = "/api/images/generate";
  static final String LEGACY_JOB = "/api/images/jobs/{jobId}";
  /** Marks a response replayed for a repeated {@code Idempotency-Key} (otherwise identical). */
  static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

  private final JobCreation creation;
  private final JobCommands commands;
  private final JobListing listing;
  private final ReadModel readModel;
  private final IdempotencyKeys idempotencyKeys;
  private final CreationRateLimiter rateLimiter;
  private final CreationsInFlight inFlight;
  private final StyleCapsules capsules;
  private final JobImages images;
  private final JobWaits waits;
  private final JobTracing tracing;
  private final JobsSettings settings;
  private final ModelCatalogue catalogue;

  JobsController(
      JobCreation creation,
      JobCommands commands,
      JobListing listing,
      ReadModel readModel,
      IdempotencyKeys idempotencyKeys,
      CreationRateLimiter rateLimiter,
      CreationsInFlight inFlight,
      StyleCapsules capsules,
      JobImages images,
      JobWaits waits,
      JobTracing tracing,
      JobsSettings settings,
      ModelCatalogue catalogue) {
    this.settings = settings;
    this.catalogue = catalogue;
    this.creation = creation;
    this.commands = commands;
    this.listing = listing;
    this.readModel = readModel;
    this.idempotencyKeys = idempotencyKeys;
    this.rateLimiter = rateLimiter;
    this.inFlight = inFlight;
    this.capsules = capsules;
    this.images = images;
    this.waits = waits;
    this.tracing = tracing;
  }

  @Operation(summary = "Create an image job", description = "Answers 202 at once with the queued job. "
      + "priority (high, normal or low; absent: the job type's configured default) decides which waiting jobs "
      + "generation starts first. "
      + "With an Idempotency-Key, the same key and body give the same job and the same response; "
      + "the same key with another body gives 422. With Prefer: wait=N (RFC 7240) the answer waits up to N "
      + "seconds (capped) for the job to end: 201 with the ended job, else the 202; Preference-Applied says "
      + "the wait granted.")
  @ApiResponse(responseCode = "201", description = "With Prefer: wait, the job ended within the wait",
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = JobView.class)))
  @ApiResponse(responseCode = "202", description = "Job queued, or the replayed response of an earlier request",
      content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
          schema = @Schema(implementation = JobView.class)))
  @ApiResponse(responseCode = "503", description = "This gateway instance runs as many creations as it may at once; "
      + "nothing was created, try again after Retry-After")
  @PostMapping(path = {JOBS, LEGACY_GENERATE}, consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<String>> create(
      @Valid @RequestBody CreateJobRequest body,
      Tenant tenant,
      @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
      @RequestHeader(name = PreferWait.PREFER, required = false) List<String> prefer,
      ServerWebExchange exchange) {
    String traceparent = traceOf(exchange);
    rateLimiter.acquire(tenant.id());
    IdempotencyKey key = idempotencyKey == null ? null : idempotencyKeys.parse(idempotencyKey);
    Optional<PreferWait> wait = waits.preference(prefer);
    return inFlight.admit(() -> creation.create(tenant.id(), body, traceparent, key))
        .flatMap(stored -> waits.created(stored, response(stored), tenant.id(), wait));
  }

  @Operation(summary = "Read a job", description = "With Prefer: wait=N (RFC 7240, N seconds, capped at "
      + "imagejobs.jobs.max-prefer-wait) the answer waits for the job to end: 200 once it has ended, 202 if it "
      + "still runs after the wait; Preference-Applied says the wait granted.")
  @ApiResponse(responseCode = "200", description = "The job (ended, when a wait was asked for)")
  @ApiResponse(responseCode = "202", description = "The job, still running after the wait asked for")
  @GetMapping(path = {JOBS + "/{jobId}", LEGACY_JOB}, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<JobView>> get(@PathVariable String jobId, Tenant tenant,
      @RequestHeader(name = PreferWait.PREFER, required = false) List<String> prefer) {
    Optional<PreferWait> wait = waits.preference(prefer);
    return ownedJob(jobId, tenant).flatMap(row -> waits.view(row, wait));
  }

  @Operation(summary = "List jobs, newest first", description = "Filters (all optional): projectId, status, "
      + "jobType, priority. Keyset pagination: pass nextCursor as cursor.")
  @GetMapping(path = JOBS, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<JobPage> list(
      Tenant tenant,
      @RequestParam(required = false) String projectId,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String jobType,
      @Parameter(schema = @Schema(allowableValues = {"high", "normal", "low"}))
      @RequestParam(required = false) String priority,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    return listing.list(tenant.id(), projectId, status, jobType, priority, limit, cursor);
  }

  @Operation(summary = "Retry a failed job", description = "409 unless the job failed.")
  @ApiResponse(responseCode = "202", description = "The job is queued again")
  @PostMapping(path = JOBS + "/{jobId}/retry", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<JobView>> retry(
      @PathVariable String jobId,
      Tenant tenant,
      ServerWebExchange exchange) {
    requireId(jobId);
    rateLimiter.acquire(tenant.id());
    return commands.retry(tenant.id(), jobId, traceOf(exchange)).map(JobsController::accepted);
  }

  @Operation(summary = "Cancel a job that has not ended",
      description = "409 once the job ended; asking again while the cancellation is pending changes nothing.")
  @ApiResponse(responseCode = "202", description = "Cancellation requested; the job ends as canceled shortly")
  @PostMapping(path = JOBS + "/{jobId}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<JobView>> cancel(
      @PathVariable String jobId,
      Tenant tenant,
      ServerWebExchange exchange) {
    requireId(jobId);
    rateLimiter.acquire(tenant.id());
    return commands.cancel(tenant.id(), jobId, traceOf(exchange)).map(JobsController::accepted);
  }

  /**
   * The {@code traceparent} of this request's span, which continues the trace of the caller's own
   * {@code traceparent} header: the job's events keep it as data and the outbox relay publishes them
   * in that trace. Where no span is observed, the caller's header as it came.
   */
  private String traceOf(ServerWebExchange exchange) {
    return traceOf(exchange, tracing);
  }

  /** The {@code traceparent} of the request's span ({@link #traceOf(ServerWebExchange)}). */
  static String traceOf(ServerWebExchange exchange, JobTracing tracing) {
    return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
        .flatMap(tracing::traceparent)
        .orElseGet(() -> exchange.getRequest().getHeaders().getFirst(CloudEventHeaders.TRACEPARENT));
  }

  /**
   * The image: a redirect to a short-lived signed URL when the store signs them (GCS), else the
   * bytes, revalidated by their SHA-256 as ETag. Images are private, so shared caches must not
   * keep them.
   */
  @Operation(summary = "Fetch a completed job's image", description = "302 to a signed URL of the storage "
      + "bucket when it signs URLs; otherwise the bytes, with their SHA-256 as ETag (If-None-Match gives 304).")
  @ApiResponse(responseCode = "200", description = "The image", content = @Content(mediaType = "image/png",
      schema = @Schema(type = "string", format = "binary")))
  @ApiResponse(responseCode = "302", description = "Redirect to a signed URL of the image, valid for minutes")
  @ApiResponse(responseCode = "304", description = "The image has the ETag given in If-None-Match")
  @ApiResponse(responseCode = "503", description = "This gateway instance streams as many images as it may at "
      + "once; try again after Retry-After")
  @GetMapping(JOBS + "/{jobId}/image")
  Mono<ResponseEntity<Flux<DataBuffer>>> image(@PathVariable String jobId, Tenant tenant, ServerWebExchange exchange) {
    return ownedJob(jobId, tenant)
        .flatMap(row -> Mono.justOrEmpty(row.image()))
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("Job " + jobId + " has no image")))
        .flatMap(image -> Mono.fromCallable(() -> images.serve(jobId, image.storagePath(), image.sha256(), exchange))
            .subscribeOn(Schedulers.boundedElastic()));
  }

  @Operation(summary = "Fetch one variant's image of a job of several variants",
      description = "As for the job's image; 404 for a variant that failed or is not stored yet.")
  @ApiResponse(responseCode = "200", description = "The image", content = @Content(mediaType = "image/png",
      schema = @Schema(type = "string", format = "binary")))
  @ApiResponse(responseCode = "302", description = "Redirect to a signed URL of the image, valid for minutes")
  @GetMapping(JOBS + "/{jobId}/variants/{variant}/image")
  Mono<ResponseEntity<Flux<DataBuffer>>> variantImage(@PathVariable String jobId, @PathVariable int variant,
      Tenant tenant, ServerWebExchange exchange) {
    return ownedJob(jobId, tenant)
        .flatMap(row -> Mono.justOrEmpty(row.variant(variant).filter(JobVariant::isStored)))
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("Job " + jobId + " has no stored variant " + variant)))
        .flatMap(stored -> Mono.fromCallable(() -> images.serve(jobId, stored.storagePath(), stored.sha256(), exchange))
            .subscribeOn(Schedulers.boundedElastic()));
  }

  @Operation(summary = "Choose a variant of a completed job as its image",
      description = "The job's image becomes that variant's, a VariantSelected event announces the choice, and the "
          + "upload service places the image at the job's storage path. Choosing again replaces the choice; "
          + "choosing the chosen variant changes nothing. 409 unless the job completed; 422 for a variant that is "
          + "not stored.")
  @ApiResponse(responseCode = "200", description = "The job with its chosen variant")
  @PostMapping(path = JOBS + "/{jobId}/select", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<JobView> select(@PathVariable String jobId, @Valid @RequestBody SelectVariantRequest request, Tenant tenant,
      ServerWebExchange exchange) {
    requireId(jobId);
    rateLimiter.acquire(tenant.id());
    return commands.select(tenant.id(), jobId, request.variant(), traceOf(exchange)).map(JobView::of);
  }

  @Operation(summary = "The model new jobs use and what it takes", description = "The provider and model "
      + "written into every new job, with the reference images it takes: how many, which types, how large.")
  @GetMapping(path = MODEL, produces = MediaType.APPLICATION_JSON_VALUE)
  ModelView model() {
    return ModelView.of(settings.provider(), settings.model(), catalogue.capabilitiesOf(settings.model()));
  }

  @Operation(summary = "The style capsules a request may name")
  @GetMapping(path = STYLE_CAPSULES, produces = MediaType.APPLICATION_JSON_VALUE)
  List<StyleCapsule> styleCapsules() {
    return capsules.all();
  }

  private Mono<JobRow> ownedJob(String jobId, Tenant tenant) {
    return Mono.defer(() -> {
      requireId(jobId);
      return readModel.find(jobId)
          .filter(row -> row.tenantId().equals(tenant.id()))
          .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No job " + jobId)));
    });
  }

  private static void requireId(String jobId) {
    if (!Ids.isValid(jobId)) {
      throw new InvalidInputException("jobId", Ids.MESSAGE);
    }
  }

  static ResponseEntity<String> response(StoredResponse stored) {
    ResponseEntity.BodyBuilder response = ResponseEntity.status(stored.status())
        .contentType(MediaType.APPLICATION_JSON);
    if (stored.location() != null) {
      response.location(URI.create(stored.location()));
    }
    if (stored.replayed()) {
      response.header(IDEMPOTENT_REPLAYED, "true");
    }
    return response.body(stored.body());
  }

  private static ResponseEntity<JobView> accepted(JobRow row) {
    return ResponseEntity.accepted().location(URI.create(JobView.location(row.jobId()))).body(JobView.of(row));
  }
}
