package dev.imagejobs.gateway.references;

import dev.imagejobs.gateway.jobs.JobImages;
import dev.imagejobs.gateway.jobs.JobNotFoundException;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.HttpSettings;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reference images of a project: upload (the image's bytes as the body), list, read, fetch the
 * bytes, delete. Each is the tenant's own; another tenant's is a 404.
 */
@RestController
@Tag(name = "references", description = "Reference images uploaded to a project")
class ReferencesController {
  static final String REFERENCES = "/api/v1/images/references";
  /** The client's name for the file, optional (the page sends the file's name). */
  static final String FILE_NAME = "X-File-Name";

  private final UploadedReferences references;
  private final JobImages images;
  private final long maxBytes;

  ReferencesController(UploadedReferences references, JobImages images, HttpSettings http) {
    this.references = references;
    this.images = images;
    this.maxBytes = http.maxReferenceSize().toBytes();
  }

  @Operation(summary = "Upload a reference image", description = "The body is the image itself, with its "
      + "Content-Type (image/png, image/jpeg or image/webp). Its bytes must be of that type with a readable header, "
      + "at most imagejobs.http.max-reference-size (7 MB) and 8192 pixels on each side. Stored privately under the "
      + "project; name its referenceId in a job's references.",
      requestBody = @RequestBody(content = {
          @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
          @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
          @Content(mediaType = "image/webp", schema = @Schema(type = "string", format = "binary"))}))
  @ApiResponse(responseCode = "201", description = "The stored reference image",
      content = @Content(schema = @Schema(implementation = ReferenceView.class)))
  @ApiResponse(responseCode = "413", description = "Larger than imagejobs.http.max-reference-size")
  @ApiResponse(responseCode = "415", description = "A Content-Type other than image/png, image/jpeg or image/webp")
  @ApiResponse(responseCode = "422", description = "The bytes are not the declared type, unreadable, or too large "
      + "in pixels")
  @PostMapping(path = REFERENCES, consumes = {"image/png", "image/jpeg", "image/webp"},
      produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<ReferenceView>> upload(
      Tenant tenant,
      @RequestParam(required = false) String projectId,
      @Parameter(description = "The file's name, shown in lists") @RequestHeader(name = FILE_NAME, required = false)
      String fileName,
      ServerWebExchange exchange) {
    requireProjectId(projectId);
    String name = fileName == null || fileName.isBlank() ? null : fileName.strip();
    if (name != null && (name.length() > 200 || name.chars().anyMatch(Character::isISOControl))) {
      throw new InvalidInputException(FILE_NAME, "must be at most 200 characters without control characters");
    }
    String contentType = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
    return DataBufferUtils.join(exchange.getRequest().getBody(), (int) Math.min(Integer.MAX_VALUE, maxBytes))
        .onErrorMap(DataBufferLimitException.class, tooLarge -> new ErrorResponseException(HttpStatus.CONTENT_TOO_LARGE))
        .map(buffer -> {
          byte[] bytes = new byte[buffer.readableByteCount()];
          buffer.read(bytes);
          DataBufferUtils.release(buffer);
          return bytes;
        })
        .defaultIfEmpty(new byte[0])
        .flatMap(bytes -> references.upload(tenant.id(), projectId, contentType, name, bytes))
        .map(stored -> ResponseEntity.created(URI.create(REFERENCES + "/" + stored.referenceId()))
            .body(ReferenceView.of(stored)));
  }

  @Operation(summary = "List a project's reference images, newest first")
  @GetMapping(path = REFERENCES, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<ReferenceView>> list(Tenant tenant, @RequestParam(required = false) String projectId) {
    requireProjectId(projectId);
    return references.list(tenant.id(), projectId).map(ReferenceView::of).collectList();
  }

  @Operation(summary = "Read a reference image's details")
  @ApiResponse(responseCode = "404", description = "No such reference image for this tenant")
  @GetMapping(path = REFERENCES + "/{referenceId}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ReferenceView> get(@PathVariable String referenceId, Tenant tenant) {
    return owned(referenceId, tenant).map(ReferenceView::of);
  }

  @Operation(summary = "Fetch a reference image's bytes", description = "As a job's image: a redirect to a signed "
      + "URL when the store signs them, else the bytes with their SHA-256 as ETag.")
  @ApiResponse(responseCode = "200", description = "The image")
  @ApiResponse(responseCode = "302", description = "Redirect to a signed URL of the image, valid for minutes")
  @GetMapping(REFERENCES + "/{referenceId}/image")
  Mono<ResponseEntity<Flux<DataBuffer>>> image(@PathVariable String referenceId, Tenant tenant,
      ServerWebExchange exchange) {
    return owned(referenceId, tenant).flatMap(reference -> Mono.fromCallable(() -> images.serve(
            reference.referenceId(), reference.storagePath(), reference.sha256(), exchange))
        .subscribeOn(Schedulers.boundedElastic()));
  }

  @Operation(summary = "Delete a reference image", description = "Its bytes are deleted and new jobs can no longer "
      + "name it; a job created before that, not yet generated, fails with a PERMANENT reason saying so.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "No such reference image for this tenant")
  @DeleteMapping(REFERENCES + "/{referenceId}")
  Mono<ResponseEntity<Void>> delete(@PathVariable String referenceId, Tenant tenant) {
    requireId(referenceId);
    return references.delete(tenant.id(), referenceId)
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No reference image " + referenceId)))
        .map(deleted -> ResponseEntity.noContent().<Void>build());
  }

  private Mono<UploadedReference> owned(String referenceId, Tenant tenant) {
    return Mono.defer(() -> {
      requireId(referenceId);
      return references.find(tenant.id(), referenceId)
          .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No reference image " + referenceId)));
    });
  }

  private static void requireId(String referenceId) {
    if (!Ids.isValid(referenceId)) {
      throw new InvalidInputException("referenceId", Ids.MESSAGE);
    }
  }

  private static void requireProjectId(String projectId) {
    if (!Ids.isValid(projectId)) {
      throw new InvalidInputException("projectId", projectId == null ? "is required" : Ids.MESSAGE);
    }
  }
}
