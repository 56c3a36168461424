package dev.imagejobs.gateway.jobs;

import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a request for a completed job's image. Images are private: a store that signs URLs (GCS)
 * gets the client redirected to a short-lived signed URL that no cache may keep; otherwise the
 * bytes are served here, privately cacheable and revalidated by their SHA-256 as a strong ETag.
 * Blocking (store reads, signing may call IAM): call it off the event loop.
 */
class JobImages {
  /** The redirect carries a credential that expires: neither it nor its target may be cached. */
  static final String REDIRECT_CACHE_CONTROL = "private, no-store";
  static final String SHA256_METADATA = "sha256";
  private static final Logger log = LoggerFactory.getLogger(JobImages.class);

  private final BlobStore store;
  private final Duration signedUrlExpiry;

  JobImages(BlobStore store, Duration signedUrlExpiry) {
    this.store = store;
    this.signedUrlExpiry = signedUrlExpiry;
  }

  /**
   * The response for the image of job {@code jobId} stored at {@code storagePath}.
   *
   * @param recordedSha256 the digest the read model recorded at upload (the one the upload service
   *     also stores in the object's metadata), or null when unknown
   * @throws JobNotFoundException when the path is unusable or the object is missing
   */
  ResponseEntity<byte[]> serve(String jobId, String storagePath, String recordedSha256, ServerWebExchange exchange) {
    BlobPath path = pathOf(jobId, storagePath);
    Optional<URI> signed = signedUrlExpiry.isZero() ? Optional.empty() : store.signedUrl(path, signedUrlExpiry);
    if (signed.isPresent()) {
      return ResponseEntity.status(HttpStatus.FOUND)
          .location(signed.get())
          .header(HttpHeaders.CACHE_CONTROL, REDIRECT_CACHE_CONTROL)
          .build();
    }
    // With a recorded digest a revalidation is answered without reading the store.
    if (recordedSha256 != null && exchange.checkNotModified(recordedSha256)) {
      return notModified(recordedSha256);
    }
    Blob blob = store.get(path).orElseThrow(() -> {
      log.warn("Image of completed job {} is missing from storage at {}", jobId, path);
      return new JobNotFoundException("Job " + jobId + " has no image");
    });
    String sha256 = recordedSha256 != null ? recordedSha256 : sha256Of(blob);
    if (recordedSha256 == null && exchange.checkNotModified(sha256)) {
      return notModified(sha256);
    }
    return ResponseEntity.ok()
        .eTag(sha256)
        .cacheControl(CacheControl.empty().cachePrivate())
        .contentType(contentType(blob))
        .body(blob.content());
  }

  private static ResponseEntity<byte[]> notModified(String sha256) {
    return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
        .eTag(sha256)
        .cacheControl(CacheControl.empty().cachePrivate())
        .build();
  }

  private static BlobPath pathOf(String jobId, String storagePath) {
    try {
      return new BlobPath(storagePath);
    } catch (IllegalArgumentException e) {
      log.warn("Job {} has an unusable storage path {}", jobId, storagePath);
      throw new JobNotFoundException("Job " + jobId + " has no image");
    }
  }

  /** The digest the upload service stored with the object, or the digest of its bytes. */
  private static String sha256Of(Blob blob) {
    String stored = blob.metadata().custom().get(SHA256_METADATA);
    if (stored != null && stored.matches("[0-9a-fA-F]{64}")) {
      return stored.toLowerCase(Locale.ROOT);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob.content()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  private static MediaType contentType(Blob blob) {
    String type = blob.metadata().contentType();
    try {
      return type == null ? MediaType.APPLICATION_OCTET_STREAM : MediaType.parseMediaType(type);
    } catch (IllegalArgumentException e) {
      return MediaType.APPLICATION_OCTET_STREAM;
    }
  }
}
