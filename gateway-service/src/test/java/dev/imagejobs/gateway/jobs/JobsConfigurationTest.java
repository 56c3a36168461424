package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.storage.StorageSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class JobsConfigurationTest {

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

    StorageSettings settings = new JobsConfiguration().storageSettings(environment);

    assertThat(settings).isEqualTo(new StorageSettings("gcs", ".local-stack/storage", "image-jobs-assets", "images/",
        "image-jobs-prod", null, null, Duration.ofMinutes(5)));
  }

  @Test
  void givenAnUnknownStorageType_whenBound_thenStartUpFailsNamingTheAllowedTypes() {
    MockEnvironment environment = new MockEnvironment()
        .withProperty("imagejobs.storage.type", "s3")
        .withProperty("imagejobs.storage.bucket", "asset-images");

    assertThatThrownBy(() -> new JobsConfiguration().storageSettings(environment))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[filesystem, gcs]");
  }
}
