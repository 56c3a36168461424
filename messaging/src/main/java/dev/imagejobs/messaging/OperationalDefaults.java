package dev.imagejobs.messaging;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The actuator settings every service shares, in one place and below every other source (a
 * service's {@code application.yml} or the environment can still change one): health with its
 * components, the liveness and readiness probes, metrics and {@code /actuator/prometheus}, each
 * meter tagged with the service's name, HTTP request latencies as histograms, and trace, span and
 * job ids in the log lines.
 */
public class OperationalDefaults implements EnvironmentPostProcessor {
  static final String NAME = "imageJobsOperationalDefaults";

  static final Map<String, Object> DEFAULTS = Map.of(
      "management.endpoints.web.exposure.include", "health,info,metrics,prometheus",
      "management.endpoint.health.show-components", "always",
      "management.endpoint.health.probes.enabled", "true",
      "management.metrics.tags.application", "${spring.application.name}",
      // Buckets, so dashboards can compute request latency percentiles across instances.
      "management.metrics.distribution.percentiles-histogram.http.server.requests", "true",
      // Trace, span and job ids beside every log line written for a job (JobTracing); structured
      // logs (logging.structured.format.console) carry them as fields.
      // Nothing at all outside a job.
      "logging.pattern.correlation", "%replace([%X{traceId:-},%X{spanId:-},%X{jobId:-}] ){'\\[,,\\] ', ''}");

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    environment.getPropertySources().addLast(new MapPropertySource(NAME, DEFAULTS));
  }
}
