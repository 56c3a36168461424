package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static dev.imagejobs.infra.TestStacks.awaitEnded;
import static dev.imagejobs.infra.TestStacks.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Priorities on the whole stack, real processes: behind a backlog of normal jobs that generation
 * starts two at a time, a high job submitted last starts at one of the next free slots and a low
 * one after every normal job, all through the API.
 */
class PriorityE2EIT {
  private static final int NORMAL_JOBS = 12;
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void givenABacklogOfNormalJobs_whenAHighAndALowJobAreSubmitted_thenTheHighStartsNextAndTheLowLast()
      throws Exception {
    StackSettings settings = TestStacks.settings(stateDir, Map.of(
        "IMAGEJOBS_PROVIDERS_LOCAL_LATENCY", "2s",
        "IMAGEJOBS_PROVIDERS_LOCAL_LONG_SIDE", "64",
        "IMAGEJOBS_GENERATION_MAX_IN_FLIGHT", "2"));
    LOGS.watch(new StateDirectory(stateDir).logs());
    try (RunningStack stack = LocalStack.start(settings)) {
      List<String> normal = new ArrayList<>();
      for (int i = 0; i < NORMAL_JOBS; i++) {
        normal.add(submit(stack, assetKeyJob("normal" + i, "Backlog job " + i, "1:1")));
      }
      String low = submit(stack, withPriority(assetKeyJob("low", "A low-priority job", "1:1"), "low"));
      String high = submit(stack, withPriority(assetKeyJob("high", "A high-priority job", "1:1"), "high"));

      Map<String, JsonNode> ended = new HashMap<>();
      for (String jobId : concat(normal, low, high)) {
        ended.put(jobId, awaitEnded(stack, jobId, JOB_TIMEOUT));
      }
      assertThat(ended.values()).allSatisfy(view -> assertThat(view.path("status").asString()).isEqualTo("completed"));
      assertThat(ended.get(high).path("priority").asString()).isEqualTo("high");
      assertThat(ended.get(low).path("priority").asString()).isEqualTo("low");
      assertThat(ended.get(normal.get(0)).path("priority").asString()).isEqualTo("normal");

      Instant highCreated = Instant.parse(ended.get(high).path("createdAt").asString());
      Instant highStarted = started(ended.get(high));
      Instant lowStarted = started(ended.get(low));
      long normalsWhileHighWaited = normal.stream().map(jobId -> started(ended.get(jobId)))
          .filter(start -> start.isAfter(highCreated) && start.isBefore(highStarted)).count();
      long normalsAfterHigh = normal.stream().filter(jobId -> started(ended.get(jobId)).isAfter(highStarted)).count();
      long normalsAfterLow = normal.stream().filter(jobId -> started(ended.get(jobId)).isAfter(lowStarted)).count();
      // Two slots, two seconds a job: the high job takes one of the next slots freed after it reached
      // generation, ahead of the normal jobs still waiting; the low one waits for all of them.
      assertThat(normalsWhileHighWaited).as("normal jobs started while the high one waited").isLessThanOrEqualTo(2);
      assertThat(normalsAfterHigh).as("normal jobs the high one went ahead of").isGreaterThanOrEqualTo(3);
      assertThat(normalsAfterLow).as("normal jobs started after the low one").isZero();
    }
  }

  private static Map<String, Object> withPriority(Map<String, Object> body, String priority) {
    Map<String, Object> prioritised = new HashMap<>(body);
    prioritised.put("priority", priority);
    return prioritised;
  }

  private static List<String> concat(List<String> jobs, String... more) {
    List<String> all = new ArrayList<>(jobs);
    all.addAll(List.of(more));
    return all;
  }

  private static Instant started(JsonNode view) {
    return Instant.parse(view.path("startedAt").asString());
  }
}
