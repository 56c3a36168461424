package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.infra.faults.FaultReport;
import dev.imagejobs.infra.faults.FaultRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reduced fault run of the test command (the full one is {@code ./fault-run}): every service as
 * two processes, jobs with failures, retries and cancels, a generation instance and the gateway the
 * event stream follows killed with SIGKILL along the way. Nothing is lost or duplicated, the only
 * provider calls made twice are those the kill interrupted, the read model equals the audit's
 * rebuild, and the stream resumed on the other gateway delivers every event once.
 */
class FaultRunE2EIT {

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void givenTwoInstancesOfEachServiceAndKills_thenNothingIsLostDuplicatedOrPaidTwice() throws Exception {
    LOGS.watch(new StateDirectory(stateDir).logs());
    FaultRun.Options options = new FaultRun.Options(2, 30, 6, Duration.ofMillis(1500),
        List.of("generation-service", "gateway-service-2"), Duration.ofSeconds(180), stateDir);

    FaultReport report = FaultRun.run(options, TestStacks.HOME);

    assertThat(report.killed()).containsExactly("generation-service", "gateway-service-2");
    assertThat(report.jobs()).isEqualTo(30);
    assertThat(report.ended().values().stream().mapToLong(Long::longValue).sum()).as(report.text()).isEqualTo(30);
    assertThat(report.lost()).as(report.text()).isZero();
    assertThat(report.duplicatedJobs()).as(report.text()).isZero();
    assertThat(report.duplicatedEnds()).as(report.text()).isZero();
    assertThat(report.duplicatedSummaries()).as(report.text()).isZero();
    assertThat(report.providerCalls().calls()).as(report.text()).isGreaterThanOrEqualTo(30);
    assertThat(report.providerCalls().unexplained()).as(report.text()).isZero();
    assertThat(report.auditExitCode()).as(report.text()).isZero();
    assertThat(report.auditDifferences()).as(report.text()).isZero();
    assertThat(report.streamReconnects()).as(report.text()).isGreaterThanOrEqualTo(1);
    assertThat(report.streamDuplicates()).as(report.text()).isZero();
    assertThat(report.streamMissing()).as(report.text()).isZero();
    assertThat(report.passed()).isTrue();
  }
}
