package dev.imagejobs.upload.staging;

import dev.imagejobs.storage.BlobStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/** Runs the staging sweep at start-up and then every {@code imagejobs.upload.staging.sweep-interval}. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class StagingConfiguration {

  @Bean
  StagingSweeper stagingSweeper(BlobStore store, Clock clock, StagingSettings settings) {
    return new StagingSweeper(store, clock, settings.maxAge());
  }

  @Bean
  SchedulingConfigurer stagingSweepSchedule(StagingSweeper sweeper, StagingSettings settings) {
    return registrar -> registrar.addFixedDelayTask(sweeper::sweep, settings.sweepInterval());
  }
}
