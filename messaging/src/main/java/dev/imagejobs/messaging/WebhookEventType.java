package dev.imagejobs.messaging;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The events an endpoint can subscribe to, by the name its payloads carry in {@code type}. */
public enum WebhookEventType {
  JOB_COMPLETED("job.completed"),
  JOB_FAILED("job.failed"),
  JOB_CANCELED("job.canceled"),
  /** A project's spent plus reserved cost reached one of its budget's thresholds. */
  BUDGET_THRESHOLD("budget.threshold"),
  /** Every job of a batch has ended (completed, failed or canceled). */
  BATCH_ENDED("batch.ended");

  /** The type of the test ping sent when an endpoint is registered or its URL changes. */
  public static final String PING = "webhook.ping";

  private final String wireName;

  WebhookEventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<WebhookEventType> of(String wireName) {
    return Arrays.stream(values()).filter(type -> type.wireName.equals(wireName)).findFirst();
  }

  /** Every type's wire name, in declaration order. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(WebhookEventType::wireName).toList();
  }
}
