package dev.imagejobs.gateway.jobs;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.BlobStores;
import dev.imagejobs.storage.StorageSettings;
import java.time.Clock;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Beans of the jobs API: the gateway's event metadata and the store images are served from. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  /** The producer name in every event the gateway writes ({@code ce_source = /image-jobs/gateway}). */
  static final String PRODUCER = "gateway";

  @Bean
  EventMetadataFactory gatewayMetadata(Clock clock) {
    return new EventMetadataFactory(PRODUCER, clock);
  }

  /**
   * {@code imagejobs.storage.*}, bound onto the storage module's own record (which stays free of
   * Spring, hence no {@code @ConfigurationProperties} on it), as in every service.
   */
  @Bean
  StorageSettings storageSettings(Environment environment) {
    return Binder.get(environment).bindOrCreate("imagejobs.storage", StorageSettings.class);
  }

  @Bean
  BlobStore imageStore(StorageSettings storage) {
    return BlobStores.create(storage);
  }

  @Bean
  JobImages jobImages(BlobStore imageStore, StorageSettings storage) {
    return new JobImages(imageStore, storage.signedUrlExpiry());
  }
}
