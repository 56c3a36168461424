package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStores;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.StorageSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mock.env.MockEnvironment;

class StorageAutoConfigurationTest {

  private final ApplicationContextRunner context = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(StorageAutoConfiguration.class));

  @Test
  void givenStoragePropertiesAsApplicationYmlPassesThem_whenBound_thenTheStorageModulesSettings() {
    MockEnvironment environment = new MockEnvironment()
        .withProperty("imagejobs.storage.type", "gcs")
        .withProperty("imagejobs.storage.dir", ".local-stack/storage")
        .withProperty("imagejobs.storage.bucket", "image-jobs-assets")
        .withProperty("imagejobs.storage.prefix", "images")
        .withProperty("imagejobs.storage.gcs-project-id", "image-jobs-prod")
        .withProperty("imagejobs.storage.gcs-credentials-file", "")
        .withProperty("imagejobs.storage.gcs-emulator-host", "")
        .withProperty("imagejobs.storage.signed-url-expiry", "5m");

    StorageSettings settings = new StorageAutoConfiguration().storageSettings(environment);

    assertThat(settings).isEqualTo(new StorageSettings("gcs", ".local-stack/storage", "image-jobs-assets", "images/",
        "image-jobs-prod", null, null, Duration.ofMinutes(5)));
  }

  @Test
  void givenAnUnknownStorageType_whenBound_thenStartUpFailsNamingTheAllowedTypes() {
    MockEnvironment environment = new MockEnvironment()
        .withProperty("imagejobs.storage.type", "s3")
        .withProperty("imagejobs.storage.bucket", "asset-images");

    assertThatThrownBy(() -> new StorageAutoConfiguration().storageSettings(environment))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[filesystem, gcs]");
  }

  @Test
  void givenAFilesystemStore_whenTheContextStarts_thenOneBlobStoreOnTheBucketFolder(@TempDir Path dir) {
    context.withPropertyValues(
            "imagejobs.storage.type=filesystem",
            "imagejobs.storage.dir=" + dir,
            "imagejobs.storage.bucket=asset-images")
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(BlobStore.class).hasSingleBean(StorageSettings.class);
          assertThat(ctx.getBean(BlobStore.class)).isInstanceOf(FilesystemBlobStore.class);
          assertThat(ctx.getBean(StorageSettings.class).bucket()).isEqualTo("asset-images");
        });
  }

  @Test
  void givenAServiceWithoutTheStorageModule_whenTheContextStarts_thenNoStoreIsOpened() {
    context.withClassLoader(new FilteredClassLoader(BlobStores.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("blobStore").doesNotHaveBean("storageSettings"));
  }
}
