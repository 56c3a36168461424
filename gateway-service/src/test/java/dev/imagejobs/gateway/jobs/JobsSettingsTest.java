package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.gateway.readmodel.Priority;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class JobsSettingsTest {

  @Test
  void givenNoPrioritiesConfiguredThenEveryJobTypeIsNormal() {
    JobsSettings settings = bind(Map.of());

    for (JobType type : JobType.values()) {
      assertThat(settings.priorities().of(type)).as("%s", type).isEqualTo(Priority.NORMAL);
    }
  }

  @Test
  void givenAPriorityPerJobTypeThenEachTypeHasItsOwn() {
    JobsSettings settings = bind(Map.of(
        "imagejobs.jobs.priorities.asset-image-key", "low",
        "imagejobs.jobs.priorities.start-frame", "high"));

    assertThat(settings.priorities().of(JobType.ASSET_IMAGE_KEY)).isEqualTo(Priority.LOW);
    assertThat(settings.priorities().of(JobType.START_FRAME)).isEqualTo(Priority.HIGH);
    assertThat(settings.priorities().of(JobType.END_FRAME)).isEqualTo(Priority.NORMAL);
  }

  @Test
  void givenAnUnknownPriorityThenStartUpFailsNamingTheSettingAndTheValues() {
    assertThatThrownBy(() -> new JobsSettings.Priorities("normal", "urgent", "normal", "normal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("imagejobs.jobs.priorities.start-frame must be one of high, normal, low, not 'urgent'");
    assertThatThrownBy(() -> new JobsSettings.Priorities("HIGH", "normal", "normal", "normal"))
        .hasMessageStartingWith("imagejobs.jobs.priorities.asset-image-key must be one of");
    assertThatThrownBy(() -> bind(Map.of("imagejobs.jobs.priorities.end-frame", "")))
        .hasRootCauseMessage("imagejobs.jobs.priorities.end-frame must be one of high, normal, low, not ''");
  }

  @Test
  void givenSettingsBuiltWithoutPrioritiesThenEveryTypeIsNormal() {
    JobsSettings settings = new JobsSettings("local", "local-v1", Duration.ZERO, null);

    assertThat(settings.priorities().of(JobType.START_FRAME)).isEqualTo(Priority.NORMAL);
  }

  private static JobsSettings bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("imagejobs.jobs", JobsSettings.class);
  }
}
