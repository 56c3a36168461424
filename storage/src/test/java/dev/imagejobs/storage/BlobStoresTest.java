package dev.imagejobs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoresTest {

  @TempDir
  Path temp;

  @Test
  void givenFilesystemSettings_whenCreated_thenAFilesystemStoreAtDirSlashBucket() throws Exception {
    StorageSettings settings = settings("filesystem", temp.toString(), "asset-images", "", null, null);

    BlobStore store = BlobStores.create(settings);

    assertThat(store).isInstanceOf(FilesystemBlobStore.class);
    assertThat(((FilesystemBlobStore) store).root()).isEqualTo(temp.resolve("asset-images").toRealPath());
    assertThat(store.signedUrl(BlobPath.of("a.png"), Duration.ofMinutes(1))).isEmpty();
  }

  @Test
  void givenAnUnknownType_whenSettingsAreMade_thenRefusedNamingTheAllowedTypes() {
    assertThatThrownBy(() -> settings("s3", temp.toString(), "asset-images", "", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'s3'")
        .hasMessageContaining("[filesystem, gcs]");
    assertThatThrownBy(() -> settings(null, temp.toString(), "asset-images", "", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[filesystem, gcs]");
  }

  @Test
  void givenAGcsEmulatorHost_whenCreated_thenAGcsStoreOnTheEmulatorWithoutSignedUrlsAndNoNetworkIsUsed() {
    StorageSettings settings = settings("GCS", null, "asset-images", "images", null, "localhost:4443");

    BlobStore store = BlobStores.create(settings);

    assertThat(settings.gcsEmulatorHost()).isEqualTo("http://localhost:4443");
    assertThat(store).isInstanceOf(GcsBlobStore.class);
    assertThat(((GcsBlobStore) store).prefix()).isEqualTo("images/");
    assertThat(store.uri(BlobPath.of("a.png")).toString()).isEqualTo("gs://asset-images/images/a.png");
    assertThat(store.signedUrl(BlobPath.of("a.png"), Duration.ofMinutes(15))).isEmpty();
  }

  @Test
  void givenAMissingOrUnsafeSetting_whenSettingsAreMade_thenRefusedNamingIt() {
    assertThatThrownBy(() -> settings("filesystem", " ", "asset-images", "", null, null))
        .hasMessageContaining("IMAGEJOBS_STORAGE_DIR");
    assertThatThrownBy(() -> settings("filesystem", temp.toString(), "..", "", null, null))
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> settings("gcs", null, "", "", null, null))
        .hasMessageContaining("IMAGEJOBS_STORAGE_BUCKET");
    assertThatThrownBy(() -> settings("gcs", null, "Asset_Images", "", null, null))
        .hasMessageContaining("Asset_Images");
    assertThatThrownBy(() -> settings("gcs", null, "asset-images", "", null, "ftp://emulator"))
        .hasMessageContaining("IMAGEJOBS_STORAGE_GCS_EMULATOR_HOST");
    assertThatThrownBy(() -> new StorageSettings("gcs", null, "asset-images", "", null, "/keys/sa.json",
        "localhost:4443", null)).hasMessageContaining("not both");
    assertThatThrownBy(() -> new StorageSettings("gcs", null, "asset-images", "", null, null, null,
        Duration.ofDays(8))).hasMessageContaining("IMAGEJOBS_STORAGE_SIGNED_URL_EXPIRY");
  }

  @Test
  void givenBlankOptionalValues_whenSettingsAreMade_thenTheyCountAsUnsetAndTheExpiryDefaults() {
    StorageSettings settings = new StorageSettings("gcs", "", "asset-images", " ", " ", "", "", null);

    assertThat(settings.prefix()).isEmpty();
    assertThat(settings.gcsProjectId()).isNull();
    assertThat(settings.gcsCredentialsFile()).isNull();
    assertThat(settings.usesEmulator()).isFalse();
    assertThat(settings.signedUrlExpiry()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void givenAKeyFileThatIsNotAServiceAccountKey_whenCreated_thenRefusedNamingTheFile() throws Exception {
    Path key = Files.writeString(temp.resolve("key.json"), "{\"type\":\"authorized_user\"}");
    StorageSettings settings = new StorageSettings("gcs", null, "asset-images", "", "image-jobs-test",
        key.toString(), null, null);

    assertThatThrownBy(() -> BlobStores.create(settings))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(key.toString());
  }

  private static StorageSettings settings(String type, String dir, String bucket, String prefix, String credentials,
      String emulator) {
    return new StorageSettings(type, dir, bucket, prefix, null, credentials, emulator, Duration.ofMinutes(15));
  }
}
