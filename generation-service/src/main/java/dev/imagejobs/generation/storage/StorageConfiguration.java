package dev.imagejobs.generation.storage;

import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStores;
import dev.imagejobs.storage.StorageSettings;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The blob store bean, opened from {@code imagejobs.storage.*} by {@link BlobStores} as in every service. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  /** Bound onto the storage module's own record, which stays free of Spring (no {@code @ConfigurationProperties}). */
  @Bean
  StorageSettings storageSettings(Environment environment) {
    return Binder.get(environment).bindOrCreate("imagejobs.storage", StorageSettings.class);
  }

  @Bean
  BlobStore blobStore(StorageSettings settings) {
    return BlobStores.create(settings);
  }
}
