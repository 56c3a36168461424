package dev.imagejobs.messaging;

/** Headers added to a record copied to the dead-letter topic, beside its original headers. */
public final class DeadLetterHeaders {
  public static final String REASON = "dlq_reason";
  public static final String SOURCE_TOPIC = "dlq_source_topic";
  public static final String SOURCE_PARTITION = "dlq_source_partition";
  public static final String SOURCE_OFFSET = "dlq_source_offset";
  public static final String CONSUMER_GROUP = "dlq_consumer_group";

  private DeadLetterHeaders() {}
}
