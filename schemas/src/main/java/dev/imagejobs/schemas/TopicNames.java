package dev.imagejobs.schemas;

import java.util.regex.Pattern;

/**
 * The catalogue's topic names in one deployment: each {@link Topics} name after the deployment's
 * prefix, so that environments can share a Kafka cluster ({@code staging.image-jobs.lifecycle.v1}
 * beside {@code image-jobs.lifecycle.v1}). Every service of a deployment has the same prefix; the
 * default consumer group ids and the streams application id start with it too.
 *
 * @param prefix put before every topic name; empty for the catalogue's names as they are
 */
public record TopicNames(String prefix) {

  /** Characters Kafka allows in topic names and group ids alike. */
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
  /** Kafka's longest topic name is 249 characters; the catalogue's names need about 40 of them. */
  private static final int MAX_PREFIX_LENGTH = 100;

  /** The catalogue's names unchanged. Declared after what its constructor uses. */
  public static final TopicNames UNPREFIXED = new TopicNames("");

  public TopicNames {
    prefix = prefix == null ? "" : prefix.strip();
    if (!LEGAL.matcher(prefix).matches() || prefix.length() > MAX_PREFIX_LENGTH) {
      throw new IllegalArgumentException("The topic prefix '" + prefix + "' may have at most " + MAX_PREFIX_LENGTH
          + " letters, digits, '.', '_' and '-'");
    }
  }

  /** The name of {@code topic} in this deployment. */
  public String of(Topic topic) {
    return prefix + topic.name();
  }

  public String lifecycle() {
    return of(Topics.LIFECYCLE);
  }

  public String completed() {
    return of(Topics.COMPLETED);
  }

  public String lifecycleDlq() {
    return of(Topics.LIFECYCLE_DLQ);
  }

  public String endedRuns() {
    return of(Topics.ENDED_RUNS);
  }

  public String budgets() {
    return of(Topics.BUDGETS);
  }
}
