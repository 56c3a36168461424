package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.Priority;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the gateway writes into every new job's spec.
 *
 * @param provider the image provider that will generate it, e.g. {@code local} or {@code nano-banana}
 * @param model the provider's model id, also the key of the price table
 * @param maxPreferWait the longest a request may ask to be held back for its job to end ({@code Prefer: wait})
 * @param priorities the priority of a job whose request names none, by job type
 */
@ConfigurationProperties("imagejobs.jobs")
record JobsSettings(
    @DefaultValue("local") String provider,
    @DefaultValue("local-v1") String model,
    @DefaultValue("60s") Duration maxPreferWait,
    @DefaultValue Priorities priorities) {
  JobsSettings {
    if (maxPreferWait == null || maxPreferWait.isNegative()) {
      throw new IllegalArgumentException("imagejobs.jobs.max-prefer-wait must be zero or positive");
    }
    if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
      throw new IllegalArgumentException("imagejobs.jobs.provider and imagejobs.jobs.model are required");
    }
    if (priorities == null) {
      priorities = new Priorities(null, null, null, null);
    }
  }

  /**
   * The priority of a job whose request names none, by job type.
   *
   * @param assetImageKey the priority of an {@code ASSET_IMAGE_KEY} job whose request names none:
   *     {@code high}, {@code normal} or {@code low}
   * @param startFrame the priority of a {@code START_FRAME} job whose request names none:
   *     {@code high}, {@code normal} or {@code low}
   * @param endFrame the priority of an {@code END_FRAME} job whose request names none:
   *     {@code high}, {@code normal} or {@code low}
   * @param edit the priority of an {@code EDIT} job whose request names none: {@code high},
   *     {@code normal} or {@code low}
   */
  record Priorities(
      @DefaultValue("normal") String assetImageKey,
      @DefaultValue("normal") String startFrame,
      @DefaultValue("normal") String endFrame,
      @DefaultValue("normal") String edit) {
    Priorities {
      assetImageKey = checked("asset-image-key", assetImageKey);
      startFrame = checked("start-frame", startFrame);
      endFrame = checked("end-frame", endFrame);
      edit = checked("edit", edit);
    }

    /** The priority of a job of {@code type} whose request names none. */
    Priority of(JobType type) {
      String name = switch (type) {
        case ASSET_IMAGE_KEY -> assetImageKey;
        case START_FRAME -> startFrame;
        case END_FRAME -> endFrame;
        case EDIT -> edit;
        case UNKNOWN -> Priority.NORMAL.wireName();
      };
      return Priority.fromWireName(name).orElseThrow();
    }

    private static String checked(String key, String value) {
      if (value == null) {
        return Priority.NORMAL.wireName();
      }
      if (Priority.fromWireName(value).isEmpty()) {
        throw new IllegalArgumentException("imagejobs.jobs.priorities." + key + " must be one of "
            + String.join(", ", Priority.WIRE_NAMES) + ", not '" + value + "'");
      }
      return value;
    }
  }
}
