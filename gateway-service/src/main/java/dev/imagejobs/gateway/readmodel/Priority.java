package dev.imagejobs.gateway.readmodel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.imagejobs.schemas.avro.JobPriority;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's priority as the API, the settings and the read model spell it: {@code high},
 * {@code normal} or {@code low}. Generation starts waiting jobs of a higher priority first.
 */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** Every wire name, highest first. */
  public static final List<String> WIRE_NAMES = Arrays.stream(values()).map(Priority::wireName).toList();

  /** The name on the wire and in the {@code jobs.priority} column. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** The priority spelled exactly {@code name} ({@code high}, {@code normal}, {@code low}), if any. */
  public static Optional<Priority> fromWireName(String name) {
    return Arrays.stream(values()).filter(priority -> priority.wireName().equals(name)).findFirst();
  }

  /**
   * The priority a job carries: a spec written before priorities existed reads {@code NORMAL} (the
   * Avro default), and {@code UNKNOWN}, what this reader sees of a symbol added later, ranks as normal.
   */
  public static Priority of(JobPriority priority) {
    if (priority == null) {
      return NORMAL;
    }
    return switch (priority) {
      case HIGH -> HIGH;
      case LOW -> LOW;
      case NORMAL, UNKNOWN -> NORMAL;
    };
  }

  /**
   * A stored priority (a history snapshot, a row): a name this version does not know, written by a
   * later one, reads as normal, like {@code UNKNOWN} in an event.
   */
  @JsonCreator
  public static Priority stored(String name) {
    return fromWireName(name).orElse(NORMAL);
  }

  /** The symbol written into the specs of the job's events. */
  public JobPriority avro() {
    return switch (this) {
      case HIGH -> JobPriority.HIGH;
      case NORMAL -> JobPriority.NORMAL;
      case LOW -> JobPriority.LOW;
    };
  }
}
