package dev.imagejobs.streams.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  @Test
  void defaultsGiveEveryNonTerminalStatusItsDeadline() {
    StreamsSettings settings = StreamsSettings.defaults();

    assertThat(settings.watchdogInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.deadline(JobStatus.QUEUED)).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.deadline(JobStatus.PROCESSING)).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.deadline(JobStatus.GENERATING)).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.deadline(JobStatus.GENERATED)).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.deadline(JobStatus.UPLOADING)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void refusesAMissingOrNonPositiveDeadline() {
    Map<JobStatus, Duration> deadlines = new EnumMap<>(StreamsSettings.defaults().deadlines());
    deadlines.remove(JobStatus.GENERATED);
    assertThatThrownBy(() -> new StreamsSettings(Duration.ofSeconds(30), deadlines))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("generated");

    deadlines.put(JobStatus.GENERATED, Duration.ZERO);
    assertThatThrownBy(() -> new StreamsSettings(Duration.ofSeconds(30), deadlines))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesADeadlineForATerminalStatus() {
    Map<JobStatus, Duration> deadlines = new EnumMap<>(StreamsSettings.defaults().deadlines());
    deadlines.put(JobStatus.COMPLETED, Duration.ofMinutes(1));

    assertThatThrownBy(() -> new StreamsSettings(Duration.ofSeconds(30), deadlines))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("completed");
  }
}
