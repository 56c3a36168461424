package dev.imagejobs.gateway.jobs;

import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStream;
import dev.imagejobs.storage.StorageException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Answers a request for a completed job's image. Images are private: a store that signs URLs (GCS)
 * gets the client redirected to a short-lived signed URL that no cache may keep; otherwise the
 * bytes are streamed from the store here, privately cacheable and revalidated by their SHA-256 as a
 * strong ETag, at most {@link ImageDownloads} of them at once. Blocking (opening the object, signing
 * may call IAM): call it off the event loop.
 */
public class JobImages {
  /** The redirect carries a credential that expires: neither it nor its target may be cached. */
  static final String REDIRECT_CACHE_CONTROL = "private, no-store";
  static final String SHA256_METADATA = "sha256";
  private static final Logger log = LoggerFactory.getLogger(JobImages.class);

  private static final int CHUNK_BYTES = 64 * 1024;

  private final BlobStore store;
  private final Duration signedUrlExpiry;
  private final ImageDownloads downloads;

  JobImages(BlobStore store, Duration signedUrlExpiry, ImageDownloads downloads) {
    this.store = store;
    this.signedUrlExpiry = signedUrlExpiry;
    this.downloads = downloads;
  }

  /**
   * The response for the image of job {@code jobId} stored at {@code storagePath} (or of an uploaded
   * reference image, {@code jobId} then being the reference's id, as errors name it).
   *
   * @param recordedSha256 the digest the read model recorded at upload (the one the upload service
   *     also stores in the object's metadata), or null when unknown
   * @throws JobNotFoundException when the path is unusable or the object is missing
   * @throws org.springframework.web.ErrorResponseException a {@code 503} when this instance serves as
   *     many images as it may at once
   */
  public ResponseEntity<Flux<DataBuffer>> serve(
      String jobId, String storagePath, String recordedSha256, ServerWebExchange exchange) {
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
    Runnable release = downloads.admit();
    BlobStream blob;
    String sha256;
    try {
      sha256 = recordedSha256 != null ? recordedSha256 : storedSha256(jobId, path);
      if (recordedSha256 == null && exchange.checkNotModified(sha256)) {
        release.run();
        return notModified(sha256);
      }
      blob = open(jobId, path);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    // Read as the client takes it, 64 KiB at a time, off the event loop; the permit and the file go
    // back when the body ends, fails or the client leaves.
    Flux<DataBuffer> body = DataBufferUtils.readInputStream(blob::content, exchange.getResponse().bufferFactory(),
            CHUNK_BYTES)
        .subscribeOn(Schedulers.boundedElastic())
        .doFinally(signal -> {
          closeQuietly(blob);
          release.run();
        });
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
        .eTag(sha256)
        .cacheControl(CacheControl.empty().cachePrivate())
        .contentType(contentType(blob.metadata().contentType()));
    if (blob.size() >= 0) {
      ok.contentLength(blob.size());
    }
    return ok.body(body);
  }

  private static ResponseEntity<Flux<DataBuffer>> notModified(String sha256) {
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

  private BlobStream open(String jobId, BlobPath path) {
    return store.openStream(path).orElseThrow(() -> {
      log.warn("Image of completed job {} is missing from storage at {}", jobId, path);
      return new JobNotFoundException("Job " + jobId + " has no image");
    });
  }

  /**
   * The digest the upload service stored with the object, or else the digest of its bytes, read
   * through once (objects stored before digests were recorded).
   */
  private String storedSha256(String jobId, BlobPath path) {
    try (BlobStream blob = open(jobId, path)) {
      String stored = blob.metadata().custom().get(SHA256_METADATA);
      if (stored != null && stored.matches("[0-9a-fA-F]{64}")) {
        return stored.toLowerCase(Locale.ROOT);
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream bytes = new DigestInputStream(blob.content(), digest)) {
        bytes.transferTo(OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    } catch (IOException e) {
      throw new StorageException("Cannot read " + path, e);
    }
  }

  private static void closeQuietly(BlobStream blob) {
    try {
      blob.close();
    } catch (IOException e) {
      log.debug("Closing a served image failed: {}", e.toString());
    }
  }

  private static MediaType contentType(String type) {
    try {
      return type == null ? MediaType.APPLICATION_OCTET_STREAM : MediaType.parseMediaType(type);
    } catch (IllegalArgumentException e) {
      return MediaType.APPLICATION_OCTET_STREAM;
    }
  }
}
