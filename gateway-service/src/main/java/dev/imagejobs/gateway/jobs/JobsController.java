package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import jakarta.validation.Valid;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@code /api/v1/images/jobs}: create a job, read it, fetch its image. Every read is tenant-scoped. */
@RestController
@RequestMapping(JobsController.BASE_PATH)
class JobsController {
  static final String BASE_PATH = "/api/v1/images/jobs";
  private static final Logger log = LoggerFactory.getLogger(JobsController.class);

  private final JobCreation creation;
  private final ReadModel readModel;
  private final TenantResolver tenants;
  private final BlobStore images;

  JobsController(JobCreation creation, ReadModel readModel, TenantResolver tenants, BlobStore images) {
    this.creation = creation;
    this.readModel = readModel;
    this.tenants = tenants;
    this.images = images;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<JobView>> create(@Valid @RequestBody CreateJobRequest body, ServerHttpRequest request) {
    String tenant = tenants.tenantOf(request);
    String traceparent = request.getHeaders().getFirst(CloudEventHeaders.TRACEPARENT);
    return creation.create(tenant, body, traceparent)
        .map(row -> ResponseEntity.accepted()
            .location(URI.create(JobView.location(row.jobId())))
            .body(JobView.of(row)));
  }

  @GetMapping(path = "/{jobId}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<JobView> get(@PathVariable String jobId, ServerHttpRequest request) {
    return ownedJob(jobId, request).map(JobView::of);
  }

  /**
   * The image bytes, revalidated by ETag (the SHA-256): images are private, so shared caches must
   * not keep them, and a retried job may replace the image behind the same URL.
   */
  @GetMapping("/{jobId}/image")
  Mono<ResponseEntity<byte[]>> image(@PathVariable String jobId, ServerWebExchange exchange) {
    return ownedJob(jobId, exchange.getRequest())
        .filter(row -> row.status() == JobStatus.COMPLETED && row.storagePath() != null && row.sha256() != null)
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("Job " + jobId + " has no image")))
        .flatMap(row -> {
          if (exchange.checkNotModified(row.sha256())) {
            return Mono.just(ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(row.sha256()).<byte[]>build());
          }
          return Mono.fromCallable(() -> read(row)).subscribeOn(Schedulers.boundedElastic())
              .map(blob -> ResponseEntity.ok()
                  .eTag(row.sha256())
                  .cacheControl(CacheControl.noCache().cachePrivate())
                  .contentType(contentType(blob, row))
                  .body(blob.content()));
        });
  }

  private Mono<JobRow> ownedJob(String jobId, ServerHttpRequest request) {
    if (!Ids.isValid(jobId)) {
      return Mono.error(new InvalidInputException("jobId", Ids.MESSAGE));
    }
    String tenant = tenants.tenantOf(request);
    return readModel.find(jobId)
        .filter(row -> row.tenantId().equals(tenant))
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No job " + jobId)));
  }

  private Blob read(JobRow row) {
    BlobPath path;
    try {
      path = new BlobPath(row.storagePath());
    } catch (IllegalArgumentException e) {
      log.warn("Job {} has an unusable storage path {}", row.jobId(), row.storagePath());
      throw new JobNotFoundException("Job " + row.jobId() + " has no image");
    }
    return images.get(path).orElseThrow(() -> {
      log.warn("Image of completed job {} is missing from storage at {}", row.jobId(), path);
      return new JobNotFoundException("Job " + row.jobId() + " has no image");
    });
  }

  private static MediaType contentType(Blob blob, JobRow row) {
    String type = row.contentType() != null ? row.contentType() : blob.metadata().contentType();
    try {
      return type == null ? MediaType.APPLICATION_OCTET_STREAM : MediaType.parseMediaType(type);
    } catch (IllegalArgumentException e) {
      return MediaType.APPLICATION_OCTET_STREAM;
    }
  }
}
