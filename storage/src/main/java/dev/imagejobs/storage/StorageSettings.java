package dev.imagejobs.storage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Which blob store a service opens and how ({@code imagejobs.storage.*} in every service, see
 * docs/storage.md); {@link BlobStores#create} turns it into a store. Blank optional values count as
 * unset, so {@code ${ENV:}} placeholders can be passed through as they are.
 *
 * @param type {@value #FILESYSTEM} or {@value #GCS}
 * @param dir filesystem only: the directory holding the buckets
 * @param bucket the bucket of staged artifacts and final images (a folder below {@code dir} for filesystem)
 * @param prefix gcs only: object name prefix such as {@code images/}; empty for none
 * @param gcsProjectId gcs only: the project, when it cannot be derived from the credentials
 * @param gcsCredentialsFile gcs only: a service account key file; unset for Application Default Credentials
 * @param gcsEmulatorHost gcs only: base URL of a GCS emulator (no credentials, no signed URLs)
 * @param signedUrlExpiry how long signed image URLs stay valid, at most 7 days; zero turns them off;
 *     unset gives {@link #DEFAULT_SIGNED_URL_EXPIRY}
 */
public record StorageSettings(
    String type,
    String dir,
    String bucket,
    String prefix,
    String gcsProjectId,
    String gcsCredentialsFile,
    String gcsEmulatorHost,
    Duration signedUrlExpiry) {

  public static final String FILESYSTEM = "filesystem";
  public static final String GCS = "gcs";
  /** The store types {@link BlobStores#create} knows. */
  public static final List<String> TYPES = List.of(FILESYSTEM, GCS);
  public static final Duration DEFAULT_SIGNED_URL_EXPIRY = Duration.ofMinutes(15);

  public StorageSettings {
    type = type == null ? null : type.strip().toLowerCase(Locale.ROOT);
    dir = blankToNull(dir);
    bucket = blankToNull(bucket);
    prefix = prefix == null ? "" : prefix.strip();
    gcsProjectId = blankToNull(gcsProjectId);
    gcsCredentialsFile = blankToNull(gcsCredentialsFile);
    gcsEmulatorHost = blankToNull(gcsEmulatorHost);
    signedUrlExpiry = signedUrlExpiry == null ? DEFAULT_SIGNED_URL_EXPIRY : signedUrlExpiry;

    if (type == null || !TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "Unknown storage type '" + type + "' (IMAGEJOBS_STORAGE_TYPE): expected one of " + TYPES);
    }
    if (bucket == null) {
      throw new IllegalArgumentException("Storage bucket (IMAGEJOBS_STORAGE_BUCKET) must be set");
    }
    if (signedUrlExpiry.isNegative() || signedUrlExpiry.compareTo(GcsBlobStore.MAX_SIGNED_URL_EXPIRY) > 0) {
      throw new IllegalArgumentException("Signed URL expiry (IMAGEJOBS_STORAGE_SIGNED_URL_EXPIRY) must be between 0 "
          + "(off) and 7d, not " + signedUrlExpiry);
    }
    if (type.equals(FILESYSTEM)) {
      if (dir == null) {
        throw new IllegalArgumentException("Storage directory (IMAGEJOBS_STORAGE_DIR) must be set for the "
            + FILESYSTEM + " store");
      }
      try {
        BlobPath.requireSegment(bucket);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Storage bucket '" + bucket + "' is not a safe folder name", e);
      }
    } else {
      GcsBlobStore.requireBucket(bucket);
      prefix = GcsBlobStore.normalizePrefix(prefix);
      gcsEmulatorHost = gcsEmulatorHost == null ? null : emulatorUrl(gcsEmulatorHost);
      if (gcsEmulatorHost != null && gcsCredentialsFile != null) {
        throw new IllegalArgumentException("Set either a GCS emulator host (IMAGEJOBS_STORAGE_GCS_EMULATOR_HOST) or a "
            + "credentials file (IMAGEJOBS_STORAGE_GCS_CREDENTIALS_FILE), not both: the emulator takes no credentials");
      }
    }
  }

  /** Whether the gcs store talks to an emulator rather than to Google Cloud Storage. */
  public boolean usesEmulator() {
    return gcsEmulatorHost != null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** {@code localhost:4443} and {@code http://localhost:4443/} both give {@code http://localhost:4443}. */
  private static String emulatorUrl(String host) {
    String url = host.contains("://") ? host : "http://" + host;
    url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("no http(s) host");
      }
      return url;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("GCS emulator host (IMAGEJOBS_STORAGE_GCS_EMULATOR_HOST) '" + host
          + "' is not a host:port or http(s) URL", e);
    }
  }
}
