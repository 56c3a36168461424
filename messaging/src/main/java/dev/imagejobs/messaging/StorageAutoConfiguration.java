package dev.imagejobs.messaging;

import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStores;
import dev.imagejobs.storage.StorageSettings;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The blob store of a service, opened from {@code imagejobs.storage.*} by {@link BlobStores}.
 *
 * <p>It lives here because this is the one Spring module that every service with a store (gateway,
 * generation, upload) already depends on, while the storage module itself stays free of Spring (its
 * {@code ArchitectureTest} enforces that). The storage dependency of this module is optional, so it
 * only applies where a service brings the storage module itself: the streams service has no store.
 */
@AutoConfiguration
@ConditionalOnClass(BlobStores.class)
public class StorageAutoConfiguration {

  /** Bound onto the storage module's own record, which stays free of Spring (no {@code @ConfigurationProperties}). */
  @Bean
  @ConditionalOnMissingBean
  StorageSettings storageSettings(Environment environment) {
    return Binder.get(environment).bindOrCreate("imagejobs.storage", StorageSettings.class);
  }

  @Bean
  @ConditionalOnMissingBean
  BlobStore blobStore(StorageSettings settings) {
    return BlobStores.create(settings);
  }
}
