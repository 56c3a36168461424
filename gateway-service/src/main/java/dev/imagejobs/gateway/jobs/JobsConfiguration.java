package dev.imagejobs.gateway.jobs;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.FilesystemBlobStore;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the jobs API: the gateway's event metadata and the store images are served from. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  /** The producer name in every event the gateway writes ({@code ce_source = /image-jobs/gateway}). */
  static final String PRODUCER = "gateway";

  @Bean
  EventMetadataFactory gatewayMetadata(Clock clock) {
    return new EventMetadataFactory(PRODUCER, clock);
  }

  @Bean
  BlobStore imageStore(StorageSettings storage) {
    return new FilesystemBlobStore(Path.of(storage.dir()).resolve(storage.bucket()));
  }
}
