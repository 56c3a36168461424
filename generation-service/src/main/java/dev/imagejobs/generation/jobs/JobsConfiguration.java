package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.messaging.DeadLetterPublisher;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.storage.BlobStore;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Wires the job runner with its providers, the staging store and the Kafka glue. */
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

  /**
   * Threads for the short blocking steps of jobs (waiting for event acknowledgements, staging); one
   * per job in flight is enough since providers are waited for without a thread.
   */
  @Bean
  ThreadPoolTaskExecutor generationWork(GenerationSettings settings) {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(settings.maxInFlight());
    executor.setMaxPoolSize(settings.maxInFlight());
    executor.setThreadNamePrefix("generation-work-");
    // On shutdown, let queued steps finish so the jobs of the batch being stopped end cleanly.
    executor.setWaitForTasksToCompleteOnShutdown(true);
    executor.setAwaitTerminationSeconds(30);
    return executor;
  }

  @Bean
  JobRunner jobRunner(ProviderRegistry providers, BlobStore store, LifecyclePublisher publisher, Clock clock,
      ThreadPoolTaskExecutor generationWork, GenerationSettings settings) {
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    ArtifactReader reader = new ArtifactReader(http, settings.providerTimeout(), settings.maxImageSize().toBytes());
    return new JobRunner(providers, reader, new ArtifactStager(store), publisher,
        new EventMetadataFactory(PRODUCER, clock), generationWork, settings.providerTimeout());
  }

  @Bean
  JobDispatcher jobDispatcher(LifecycleRecords records, JobRunner runner, DeadLetterPublisher deadLetters) {
    return new JobDispatcher(records, runner, deadLetters);
  }
}
