package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderRegistry;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.generation.provider.local.LocalProviderSettings;
import dev.imagejobs.messaging.DeadLetterPublisher;
import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.InFlightConsumer;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.ModelCatalogue;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.storage.BlobStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Wires the job consumer and runner with their providers, the staging store and the Kafka glue. */
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
   * Threads for the short blocking steps of jobs (staging, reading the staging area); one per job in
   * flight is enough since providers, retry delays and event acknowledgements are waited for without
   * a thread.
   */
  @Bean
  ThreadPoolTaskExecutor generationWork(GenerationSettings settings) {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(settings.maxInFlight());
    executor.setMaxPoolSize(settings.maxInFlight());
    executor.setThreadNamePrefix("generation-work-");
    // On shutdown, let queued steps finish so that running jobs can end cleanly within the drain timeout.
    executor.setWaitForTasksToCompleteOnShutdown(true);
    executor.setAwaitTerminationSeconds(30);
    return executor;
  }

  @Bean
  GenerationMetrics generationMetrics(MeterRegistry registry) {
    return new GenerationMetrics(registry);
  }

  /** Reads what providers answer; its download client is stopped with the context. */
  @Bean
  ArtifactReader artifactReader(GenerationSettings settings) {
    return new ArtifactReader(settings.downloads().policy(), settings.providerTimeout(),
        settings.maxImageSize().toBytes());
  }

  @Bean
  JobRunner jobRunner(ProviderRegistry providers, ArtifactReader reader, BlobStore store, LifecyclePublisher publisher,
      Clock clock,
      ThreadPoolTaskExecutor generationWork, GenerationSettings settings, GenerationMetrics metrics,
      EndedRuns endedRuns, JobTracing tracing, ModelCatalogue catalogue) {
    ProviderRateLimiter limiter = new ProviderRateLimiter(providers.requestsPerMinute(), System::nanoTime, generationWork);
    // Reference images are read from the store on the work threads, like staging: never a consumer's thread.
    ReferenceLoader references = new ReferenceLoader(store, catalogue, generationWork,
        settings.references().maxBytesInMemory().toBytes());
    return new JobRunner(providers, reader, new ArtifactStager(store), publisher,
        new EventMetadataFactory(PRODUCER, clock), generationWork, settings.providerTimeout(),
        settings.retry().policy(), limiter, metrics, endedRuns, tracing, references, new VariantCount(catalogue));
  }

  @Bean
  JobDispatcher jobDispatcher(LifecycleRecords records, JobRunner runner, DeadLetterPublisher deadLetters,
      ThreadPoolTaskExecutor generationWork, GenerationSettings settings, JobTracing tracing) {
    return new JobDispatcher(records, runner, deadLetters, generationWork, settings.maxRedeliveries(),
        settings.redeliveryDelay(), tracing);
  }

  @Bean
  InFlightConsumer jobConsumer(ConsumerFactory<?, ?> consumers, TopicNames names, JobDispatcher dispatcher,
      GenerationSettings settings, GenerationMetrics metrics, LifecycleRecords records) {
    InFlightConsumer.ReadAhead readAhead = new InFlightConsumer.ReadAhead(settings.priorities().readAhead(),
        PriorityRanking.LEVELS, settings.priorities().agingStep(), new PriorityRanking(records));
    InFlightConsumer consumer = new InFlightConsumer(consumers, names.lifecycle(), "generation", dispatcher,
        settings.maxInFlight(), settings.drainTimeout(), metrics.inFlight(), readAhead);
    metrics.watchWaiting(consumer);
    return consumer;
  }
}
