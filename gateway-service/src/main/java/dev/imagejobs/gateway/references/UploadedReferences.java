package dev.imagejobs.gateway.references;

import dev.imagejobs.gateway.readmodel.SqlPart;
import dev.imagejobs.gateway.web.HttpSettings;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.Durability;
import dev.imagejobs.storage.Sha256;
import dev.imagejobs.storage.images.ImageFormat;
import dev.imagejobs.storage.images.ImageHeaders;
import dev.imagejobs.storage.images.MalformedImageException;
import dev.imagejobs.storage.images.PngHeader;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Uploaded reference images: each is checked as generated images are (its bytes must be the PNG,
 * JPEG or WebP it is declared as, with a readable header, within the size and dimension limits),
 * written to the bucket at {@code tenant_{t}/project_{p}/references/{id}.{ext}} (durably: its row
 * promises it) and then recorded; when it cannot be recorded, its bytes are deleted again, so a failed
 * upload leaves nothing behind. A deleted one is forgotten, then its bytes are deleted; a job
 * created before that fails at generation with a clear reason.
 */
@Component
public class UploadedReferences {
  private static final Logger log = LoggerFactory.getLogger(UploadedReferences.class);
  /** The largest width or height accepted, beyond what any model takes. */
  static final int MAX_DIMENSION = 8192;
  private static final String COLUMNS = "reference_id, tenant_id, project_id, storage_path, content_type,"
      + " size_bytes, width, height, sha256, file_name, created_at, has_alpha";

  private final DatabaseClient db;
  private final BlobStore store;
  private final long maxBytes;

  UploadedReferences(DatabaseClient db, BlobStore store, HttpSettings http) {
    this.db = db;
    this.store = store;
    this.maxBytes = http.maxReferenceSize().toBytes();
  }

  /**
   * Checks, stores and records an uploaded image.
   *
   * @param declaredType the request's {@code Content-Type}
   * @param fileName the client's name for it, or null
   * @return the reference; errors with a 415 or 422 problem when the image is refused
   */
  Mono<UploadedReference> upload(String tenantId, String projectId, String declaredType, String fileName,
      byte[] content) {
    return Mono.fromCallable(() -> {
      Inspected image = inspect(declaredType, content);
      String referenceId = UUID.randomUUID().toString();
      BlobPath path = BlobPath.of("tenant_" + tenantId, "project_" + projectId, "references",
          referenceId + "." + image.format().extension());
      store.putIfAbsent(path, content, new BlobMetadata(image.format().contentType(), "private",
          Map.of("tenant", tenantId, "project", projectId, "sha256", image.sha256())),
          Durability.SURVIVES_MACHINE_CRASH);
      return new UploadedReference(referenceId, tenantId, projectId, path.value(), image.format().contentType(),
          content.length, image.width(), image.height(), image.sha256(), fileName, null, image.hasAlpha());
    }).subscribeOn(Schedulers.boundedElastic()).flatMap(reference -> db.sql("INSERT INTO reference_images ("
            + COLUMNS + ") VALUES (:id, :tenant, :project, :path, :type, :size, :width, :height, :sha256, :name, now(),"
            + " :alpha)"
            + " RETURNING " + COLUMNS)
        .bind("id", reference.referenceId())
        .bind("tenant", tenantId)
        .bind("project", projectId)
        .bind("path", reference.storagePath())
        .bind("type", reference.contentType())
        .bind("size", reference.sizeBytes())
        .bind("width", reference.width())
        .bind("height", reference.height())
        .bind("sha256", reference.sha256())
        .bind("name", SqlPart.nullable(fileName, String.class))
        .bind("alpha", reference.hasAlpha())
        .map(UploadedReferences::read)
        .one()
        .onErrorResume(failure -> forget(new BlobPath(reference.storagePath())).then(Mono.error(failure))));
  }

  /** Deletes the bytes of an upload that could not be recorded; a failure to delete is only logged. */
  private Mono<Void> forget(BlobPath path) {
    return Mono.fromRunnable(() -> store.delete(path))
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorResume(failure -> {
          log.warn("The bytes of an upload that could not be recorded stay at {}: {}", path, failure.toString());
          return Mono.empty();
        })
        .then();
  }

  /** A project's references, newest first. */
  Flux<UploadedReference> list(String tenantId, String projectId) {
    return db.sql("SELECT " + COLUMNS + " FROM reference_images WHERE tenant_id = :tenant AND project_id = :project"
            + " ORDER BY created_at DESC, reference_id")
        .bind("tenant", tenantId)
        .bind("project", projectId)
        .map(UploadedReferences::read)
        .all();
  }

  /** The tenant's reference {@code referenceId}; empty when it has none of that id. */
  public Mono<UploadedReference> find(String tenantId, String referenceId) {
    return db.sql("SELECT " + COLUMNS + " FROM reference_images WHERE tenant_id = :tenant AND reference_id = :id")
        .bind("tenant", tenantId)
        .bind("id", referenceId)
        .map(UploadedReferences::read)
        .one();
  }

  /** Forgets the reference, then deletes its bytes; empty when the tenant has none of that id. */
  Mono<UploadedReference> delete(String tenantId, String referenceId) {
    return db.sql("DELETE FROM reference_images WHERE tenant_id = :tenant AND reference_id = :id RETURNING " + COLUMNS)
        .bind("tenant", tenantId)
        .bind("id", referenceId)
        .map(UploadedReferences::read)
        .one()
        .flatMap(deleted -> Mono.fromCallable(() -> store.delete(new BlobPath(deleted.storagePath())))
            .subscribeOn(Schedulers.boundedElastic())
            .thenReturn(deleted));
  }

  private Inspected inspect(String declaredType, byte[] content) {
    if (content.length == 0) {
      throw refused(HttpStatus.UNPROCESSABLE_CONTENT, "The image is empty");
    }
    if (content.length > maxBytes) {
      throw new ErrorResponseException(HttpStatus.CONTENT_TOO_LARGE);
    }
    ImageFormat declared = ImageFormat.fromContentType(declaredType).orElseThrow(() -> refused(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + declaredType + " is not one of "
            + ImageFormat.supportedContentTypes()));
    ImageFormat actual = ImageFormat.sniff(content).orElseThrow(() -> refused(HttpStatus.UNPROCESSABLE_CONTENT,
        "The bytes are not a PNG, JPEG or WebP image although " + declared.contentType() + " was declared"));
    if (actual != declared) {
      throw refused(HttpStatus.UNPROCESSABLE_CONTENT,
          "Declared " + declared.contentType() + " but the bytes are a " + actual + " image");
    }
    ImageHeaders.Size size;
    try {
      size = ImageHeaders.read(actual, content);
    } catch (MalformedImageException malformed) {
      throw refused(HttpStatus.UNPROCESSABLE_CONTENT, malformed.getMessage());
    }
    if (size.width() > MAX_DIMENSION || size.height() > MAX_DIMENSION) {
      throw refused(HttpStatus.UNPROCESSABLE_CONTENT, "The image is " + size.width() + "x" + size.height()
          + " pixels; at most " + MAX_DIMENSION + " on each side are accepted");
    }
    // Whether it can serve as an edit's mask: a PNG with an alpha channel (or tRNS).
    boolean alpha = actual == ImageFormat.PNG && PngHeader.read(content).map(PngHeader::hasAlpha).orElse(false);
    return new Inspected(actual, size.width(), size.height(), Sha256.hex(content), alpha);
  }

  private static ErrorResponseException refused(HttpStatus status, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle("Image refused");
    return new ErrorResponseException(status, problem, null);
  }

  private static UploadedReference read(Readable row) {
    return new UploadedReference(row.get("reference_id", String.class), row.get("tenant_id", String.class),
        row.get("project_id", String.class), row.get("storage_path", String.class),
        row.get("content_type", String.class), row.get("size_bytes", Long.class), row.get("width", Integer.class),
        row.get("height", Integer.class), row.get("sha256", String.class), row.get("file_name", String.class),
        row.get("created_at", OffsetDateTime.class).toInstant(), row.get("has_alpha", Boolean.class));
  }

  private record Inspected(ImageFormat format, int width, int height, String sha256, boolean hasAlpha) {}
}
