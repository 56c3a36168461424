package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the job runner with its providers and the staging store. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {
  /** Name written into the events this service produces ({@code ce_source} /image-jobs/generation). */
  static final String PRODUCER = "generation";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  LocalImageProvider localImageProvider(LocalProviderSettings settings) {
    return new LocalImageProvider(settings);
  }

  @Bean
  ProviderRegistry providerRegistry(List<ImageProvider> providers) {
    return new ProviderRegistry(providers);
  }

  @Bean
  JobRunner jobRunner(ProviderRegistry providers, BlobStore store, LifecyclePublisher publisher, Clock clock) {
    return new JobRunner(providers, new ArtifactStager(store), publisher, new EventMetadataFactory(PRODUCER, clock));
  }
}
