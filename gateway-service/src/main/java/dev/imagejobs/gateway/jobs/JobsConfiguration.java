package dev.imagejobs.gateway.jobs;

import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.StorageSettings;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of the jobs API: the gateway's event metadata and the images served from the blob store. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  /** The producer name in every event the gateway writes ({@code ce_source = /image-jobs/gateway}). */
  static final String PRODUCER = "gateway";

  @Bean
  EventMetadataFactory gatewayMetadata(Clock clock) {
    return new EventMetadataFactory(PRODUCER, clock);
  }

  /** The store and its settings come from the messaging module's {@code StorageAutoConfiguration}. */
  @Bean
  JobImages jobImages(BlobStore store, StorageSettings storage, ImageDownloadSettings downloads) {
    return new JobImages(store, storage.signedUrlExpiry(), new ImageDownloads(downloads));
  }
}
