package dev.imagejobs.gateway.stream;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Shows as {@code eventNotifications} in {@code /actuator/health} whether this instance is
 * listening for committed events. Not listening is UNKNOWN rather than DOWN: streams still deliver
 * everything, only later (at their periodic re-read), and the database's own health says whether
 * it is reachable.
 */
@Component("eventNotifications")
class JobEventNotificationsHealthIndicator implements HealthIndicator {
  private final JobEventNotifications notifications;

  JobEventNotificationsHealthIndicator(JobEventNotifications notifications) {
    this.notifications = notifications;
  }

  @Override
  public Health health() {
    return notifications.isConnected()
        ? Health.up().withDetail("listening", true).build()
        : Health.unknown().withDetail("listening", false).build();
  }
}
