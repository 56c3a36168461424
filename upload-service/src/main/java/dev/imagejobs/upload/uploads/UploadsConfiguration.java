package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.InspectionSettings;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the upload feature. */
@Configuration(proxyBeanMethods = false)
class UploadsConfiguration {

  /** Name written into the events this service produces ({@code ce_source} /image-jobs/upload). */
  static final String PRODUCER = "upload";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ArtifactInspector artifactInspector(InspectionSettings settings) {
    return new ArtifactInspector(settings);
  }

  @Bean
  ImageUploader imageUploader(
      BlobStore store,
      ArtifactInspector inspector,
      LifecyclePublisher publisher,
      Clock clock,
      UploadSettings settings) {
    return new ImageUploader(store, inspector, publisher, new EventMetadataFactory(PRODUCER, clock), settings);
  }
}
