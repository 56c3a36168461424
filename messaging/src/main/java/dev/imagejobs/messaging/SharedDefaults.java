package dev.imagejobs.messaging;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The defaults every service shares, in one place and below every other source (a service's
 * {@code application.yml} or the environment can still change one): health with its components,
 * the liveness and readiness probes, metrics and {@code /actuator/prometheus}, each meter tagged
 * with the service's name, HTTP request latencies as histograms, trace, span and job ids in the log
 * lines, and the blob store of the local stack. Settings of the shared records ({@link
 * TopicProperties}, {@link EndedRunsProperties}) have their defaults on the records themselves.
 */
public class SharedDefaults implements EnvironmentPostProcessor {
  static final String NAME = "imageJobsSharedDefaults";

  static final Map<String, Object> DEFAULTS = Map.ofEntries(
      Map.entry("management.endpoints.web.exposure.include", "health,info,metrics,prometheus"),
      Map.entry("management.endpoint.health.show-components", "always"),
      Map.entry("management.endpoint.health.probes.enabled", "true"),
      Map.entry("management.metrics.tags.application", "${spring.application.name}"),
      // Buckets, so dashboards can compute request latency percentiles across instances.
      Map.entry("management.metrics.distribution.percentiles-histogram.http.server.requests", "true"),
      // Trace, span and job ids beside every log line written for a job (JobTracing); structured
      // logs (logging.structured.format.console) carry them as fields.
      // Nothing at all outside a job.
      Map.entry("logging.pattern.correlation", "%replace([%X{traceId:-},%X{spanId:-},%X{jobId:-}] ){'\\[,,\\] ', ''}"),
      // The blob store (StorageAutoConfiguration binds it onto the storage module's Spring-free
      // record, so its defaults are here rather than on that record): the local stack's directory.
      Map.entry("imagejobs.storage.type", "filesystem"),
      Map.entry("imagejobs.storage.dir", ".local-stack/storage"),
      Map.entry("imagejobs.storage.bucket", "asset-images"));

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    environment.getPropertySources().addLast(new MapPropertySource(NAME, DEFAULTS));
  }
}
