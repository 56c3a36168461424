package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.awaitEnded;
import static dev.imagejobs.infra.TestStacks.job;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Nothing lost: jobs accepted with 202 all complete even when every process of the stack (the
 * services, the Kafka broker and PostgreSQL) is killed with SIGKILL while they run, and the stack
 * is started again on the same state directory.
 */
class KilledStackE2EIT {
  private static final int JOBS = 6;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  /** Outlives both stacks, as a customer's receiver does. */
  private final WebhookReceiver receiver = new WebhookReceiver();

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  @Test
  void givenJobsInFlight_whenEveryProcessIsKilledAndTheStackStartsAgain_thenEveryAcceptedJobCompletes()
      throws Exception {
    // Slow enough that the kill lands while images are being generated.
    StackSettings settings = TestStacks.settings(stateDir, Map.of("IMAGEJOBS_PROVIDERS_LOCAL_LATENCY", "3s"));
    LOGS.watch(new StateDirectory(stateDir).logs());
    List<String> accepted = new ArrayList<>();

    // Given jobs accepted and some of them being generated
    RunningStack stack = LocalStack.start(settings);
    try {
      // (and an endpoint that wants every completion)
      receiver.register(stack, "job.completed");
      for (int i = 0; i < JOBS; i++) {
        accepted.add(submit(stack, assetKeyJob("asset" + i, "Job " + i + " before the crash: a lighthouse", "1:1")));
      }
      await().atMost(JOB_TIMEOUT).until(() -> anyGenerating(stack, accepted));

      // When every process is killed at once, without a chance to flush, commit or say goodbye
      killEveryProcess();
    } finally {
      stack.close();
    }

    // Then, once the stack runs again on the same state, every accepted job completes with its image
    try (RunningStack again = LocalStack.start(settings)) {
      for (String jobId : accepted) {
        JsonNode view = awaitEnded(again, jobId, JOB_TIMEOUT);
        assertThat(view.path("status").asString()).as("job %s: %s", jobId, view).isEqualTo("completed");
        assertThat(view.path("image").path("sha256").asString()).hasSize(64);
      }
      // And the endpoint hears of every completion, signed, the webhook service killed too
      await().atMost(JOB_TIMEOUT).until(() -> receiver.jobIds("job.completed").containsAll(accepted));
      assertThat(receiver.received()).allSatisfy(request -> assertThat(request.verified()).isTrue());
    }
  }

  private static void killEveryProcess() throws IOException {
    StateDirectory state = new StateDirectory(stateDir);
    List<Long> pids = new ArrayList<>();
    for (String name : List.of("gateway-service", "generation-service", "upload-service", "streams-service",
        "webhook-service", "kafka")) {
      pids.add(Long.parseLong(Files.readString(state.pidFile(name)).strip()));
    }
    // PostgreSQL's postmaster writes its pid on the first line of postmaster.pid.
    pids.add(Long.parseLong(Files.readAllLines(state.postgres().resolve("postmaster.pid")).get(0).strip()));
    for (long pid : pids) {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      process.ifPresent(ProcessHandle::destroyForcibly);
      process.ifPresent(handle -> handle.onExit().join());
    }
  }

  private static boolean anyGenerating(RunningStack stack, List<String> jobIds) throws Exception {
    for (String jobId : jobIds) {
      if ("generating".equals(job(stack, jobId).path("status").asString())) {
        return true;
      }
    }
    return false;
  }

}
