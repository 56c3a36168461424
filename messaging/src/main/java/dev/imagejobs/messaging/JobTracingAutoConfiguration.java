package dev.imagejobs.messaging;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link JobTracing} for every service, on the observation registry and the propagator that
 * Spring Boot's tracing auto-configuration makes (or observations that record nothing without them).
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
    "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration"})
public class JobTracingAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  JobTracing jobTracing(ObjectProvider<ObservationRegistry> registry, ObjectProvider<Propagator> propagator) {
    return new JobTracing(registry.getIfAvailable(() -> ObservationRegistry.NOOP),
        propagator.getIfAvailable(() -> Propagator.NOOP));
  }
}
