package dev.imagejobs.messaging;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether this instance still follows the ended-runs topic: down when its reader stopped, since the
 * service could then run a job that ended after the reader stopped. Part of the readiness probe of
 * generation and upload.
 */
class EndedRunsHealth implements HealthIndicator {
  private final EndedRunsReader reader;
  private final EndedRuns endedRuns;

  EndedRunsHealth(EndedRunsReader reader, EndedRuns endedRuns) {
    this.reader = reader;
    this.endedRuns = endedRuns;
  }

  @Override
  public Health health() {
    return (reader.isRunning() ? Health.up() : Health.down())
        .withDetail("jobs", endedRuns.size())
        .withDetail("undecodable", reader.undecodable())
        .build();
  }
}
