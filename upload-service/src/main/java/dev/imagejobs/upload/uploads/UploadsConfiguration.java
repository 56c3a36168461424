package dev.imagejobs.upload.uploads;

import dev.imagejobs.messaging.DeadLetterPublisher;
import dev.imagejobs.messaging.EndedRuns;
import dev.imagejobs.messaging.InFlightConsumer;
import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.schemas.EventMetadataFactory;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.upload.inspection.ArtifactInspector;
import dev.imagejobs.upload.inspection.InspectionSettings;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Wires the upload feature: the consumer, its dispatcher, the uploader, the variant selector and
 * their storage threads.
 */
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
      UploadSettings settings,
      EndedRuns endedRuns) {
    return new ImageUploader(store, inspector, publisher, new EventMetadataFactory(PRODUCER, clock), settings,
        endedRuns);
  }

  @Bean
  VariantSelector variantSelector(BlobStore store, UploadSettings settings) {
    return new VariantSelector(store, new StorageRetries(settings));
  }

  /**
   * Threads for the blocking storage steps (reads, checks, writes, storage retries), one per job in
   * flight; event acknowledgements are waited for without a thread.
   */
  @Bean
  ThreadPoolTaskExecutor uploadWork(UploadSettings settings) {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(settings.maxInFlight());
    executor.setMaxPoolSize(settings.maxInFlight());
    executor.setThreadNamePrefix("upload-work-");
    // On shutdown, let queued steps finish so that running uploads can end cleanly within the drain timeout.
    executor.setWaitForTasksToCompleteOnShutdown(true);
    executor.setAwaitTerminationSeconds(30);
    return executor;
  }

  @Bean
  UploadDispatcher uploadDispatcher(LifecycleRecords records, ImageUploader uploader, VariantSelector selector,
      DeadLetterPublisher deadLetters, ThreadPoolTaskExecutor uploadWork, UploadSettings settings, JobTracing tracing) {
    return new UploadDispatcher(records, uploader, selector, deadLetters, uploadWork, settings.maxRedeliveries(),
        settings.redeliveryDelay(), tracing);
  }

  @Bean
  InFlightConsumer uploadConsumer(ConsumerFactory<?, ?> consumers, TopicNames names, UploadDispatcher dispatcher,
      UploadSettings settings) {
    return new InFlightConsumer(consumers, names.lifecycle(), "upload", dispatcher, settings.maxInFlight(), settings.drainTimeout(),
        new AtomicInteger());
  }
}
