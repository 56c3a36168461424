package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.awaitEnded;
import static dev.imagejobs.infra.TestStacks.job;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Kafka stopped under running services: job creation still answers 202 (the outbox holds the
 * events), and once the broker is back every job accepted meanwhile completes, with no restart of
 * any service.
 */
class KafkaOutageE2EIT {
  private static final int JOBS_DURING_OUTAGE = 3;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void givenKafkaStopped_whenJobsArePosted_thenTheyAreAcceptedAndCompleteOnceKafkaIsBack() throws Exception {
    StackSettings settings = TestStacks.settings(stateDir, Map.of());
    LOGS.watch(new StateDirectory(stateDir).logs());
    try (RunningStack stack = LocalStack.start(settings)) {
      String before = submit(stack, assetKeyJob("before", "A lighthouse before the outage", "1:1"));
      awaitEnded(stack, before, JOB_TIMEOUT);

      stack.stopKafka();
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < JOBS_DURING_OUTAGE; i++) {
        accepted.add(submit(stack, assetKeyJob("outage" + i, "Job " + i + " while Kafka is down", "1:1")));
      }
      for (String jobId : accepted) {
        assertThat(job(stack, jobId).path("status").asString()).as("nothing can run without the broker")
            .isEqualTo("queued");
      }
      stack.startKafka();

      for (String jobId : accepted) {
        JsonNode view = awaitEnded(stack, jobId, JOB_TIMEOUT);
        assertThat(view.path("status").asString()).as("job %s: %s", jobId, view).isEqualTo("completed");
        assertThat(view.path("image").path("sha256").asString()).hasSize(64);
      }
    }
  }
}
