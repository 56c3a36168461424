package dev.imagejobs.gateway.projection;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports the projection thread as {@code projection} in {@code /actuator/health}: down when it
 * should run and does not, with the count of batches failing in a row (a database outage shows
 * there while the projection keeps retrying).
 */
final class ProjectionHealthIndicator implements HealthIndicator {
  private final ReadModelProjector projector;

  ProjectionHealthIndicator(ReadModelProjector projector) {
    this.projector = projector;
  }

  @Override
  public Health health() {
    if (!projector.enabled()) {
      return Health.up().withDetail("enabled", false).build();
    }
    Health.Builder health = projector.isRunning() ? Health.up() : Health.down();
    health.withDetail("consecutiveFailures", projector.consecutiveFailures());
    if (projector.consecutiveFailures() > 0 && projector.lastFailure() != null) {
      health.withDetail("lastFailure", projector.lastFailure());
    }
    return health.build();
  }
}
