package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AuditProcessTest {

  @Test
  void givenTheToolsReport_thenTheReplayTimeAndTheVerdictAreRead() {
    String output = """
        Replayed 53088 events into schema audit_20261207_232052_556a in 9.33 s (5690 events/s, 3 writers; \
        0 undecodable records skipped, as the projection dead-letters them)
        8848 jobs compared, 2 differences
        """;

    AuditProcess.Result result = AuditProcess.parse(1, 14.5, output, Path.of("audit.log"));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.seconds()).isEqualTo(14.5);
    assertThat(result.eventsReplayed()).hasValue(53088);
    assertThat(result.replaySeconds()).hasValue(9.33);
    assertThat(result.jobsCompared()).hasValue(8848);
    assertThat(result.differences()).hasValue(2);
  }

  @Test
  void givenAToolThatFailedBeforeReplaying_thenNothingIsReported() {
    AuditProcess.Result result = AuditProcess.parse(3, 2.0, "Audit failed: connection refused\n", Path.of("audit.log"));

    assertThat(result.eventsReplayed()).isEmpty();
    assertThat(result.replaySeconds()).isEmpty();
    assertThat(result.jobsCompared()).isEmpty();
    assertThat(result.differences()).isEmpty();
  }
}
