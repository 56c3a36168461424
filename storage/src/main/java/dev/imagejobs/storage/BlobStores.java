package dev.imagejobs.storage;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the blob store that {@link StorageSettings} describe; every service opens its store here. */
public final class BlobStores {

  /** Emulators accept any project; the client only needs one to be named. */
  static final String EMULATOR_PROJECT = "local-emulator";

  private BlobStores() {}

  /**
   * The store of {@code settings}: a {@link FilesystemBlobStore} at {@code dir/bucket}, or a
   * {@link GcsBlobStore} on the bucket, with Application Default Credentials unless a key file or
   * an emulator is configured.
   *
   * @throws IllegalStateException when the credentials cannot be loaded
   */
  public static BlobStore create(StorageSettings settings) {
    return switch (settings.type()) {
      case StorageSettings.FILESYSTEM -> new FilesystemBlobStore(Path.of(settings.dir()).resolve(settings.bucket()));
      case StorageSettings.GCS -> gcs(settings);
      default -> throw new IllegalArgumentException(
          "Unknown storage type '" + settings.type() + "': expected one of " + StorageSettings.TYPES);
    };
  }

  private static GcsBlobStore gcs(StorageSettings settings) {
    StorageOptions.Builder options = StorageOptions.http();
    if (settings.gcsProjectId() != null) {
      options.setProjectId(settings.gcsProjectId());
    }
    if (settings.usesEmulator()) {
      options.setHost(settings.gcsEmulatorHost()).setCredentials(NoCredentials.getInstance());
      if (settings.gcsProjectId() == null) {
        options.setProjectId(EMULATOR_PROJECT);
      }
    } else {
      options.setCredentials(credentials(settings));
    }
    GcsBlobStore store = new GcsBlobStore(options.build().getService(), settings.bucket(), settings.prefix());
    // An emulator checks no signatures, so the gateway serves the bytes itself.
    return settings.usesEmulator() || settings.signedUrlExpiry().isZero() ? store.withoutSignedUrls() : store;
  }

  private static Credentials credentials(StorageSettings settings) {
    if (settings.gcsCredentialsFile() != null) {
      Path file = Path.of(settings.gcsCredentialsFile());
      try (InputStream key = Files.newInputStream(file)) {
        // A service account key, not any credential configuration: those are only trusted through ADC.
        return ServiceAccountCredentials.fromStream(key);
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read the GCS service account key file " + file
            + " (IMAGEJOBS_STORAGE_GCS_CREDENTIALS_FILE): " + e.getMessage(), e);
      }
    }
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      throw new IllegalStateException("No Application Default Credentials for the gcs store: set "
          + "GOOGLE_APPLICATION_CREDENTIALS or IMAGEJOBS_STORAGE_GCS_CREDENTIALS_FILE, or run with an attached service "
          + "account (" + e.getMessage() + ")", e);
    }
  }
}
