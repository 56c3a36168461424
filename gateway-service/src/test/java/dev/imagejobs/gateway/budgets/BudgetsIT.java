package dev.imagejobs.gateway.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * A project's budget: creations reserve their estimate and are refused with 402 past it, with no
 * overspend when they race; runs settle to their actual cost when they end; retries reserve too;
 * other projects and tenants are not limited.
 */
class BudgetsIT extends GatewayIntegrationTest {
  private static final String JOBS = "/api/v1/images/jobs";
  /** A 2K image of the local model costs 3,000 micro-dollars in the test price table. */
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse at dusk","aspectRatio":"16:9","imageSize":"2K"}""";

  @Test
  void givenABudgetThatFitsFiveJobs_whenAsManyCreationsAsTheRateLimitAllowsRace_thenExactlyFiveAreCreated()
      throws Exception {
    // As many at once as the shared test gateway's rate limit lets one tenant send.
    int racing = RATE_LIMIT_BURST;
    putBudget("budget-a", "race", "0.015", false);

    List<HttpStatus> answers = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(racing);
    try {
      // All wait at the gate, then post at once.
      CyclicBarrier gate = new CyclicBarrier(racing);
      List<Callable<HttpStatus>> posts = new ArrayList<>();
      for (int i = 0; i < racing; i++) {
        posts.add(() -> {
          gate.await();
          return HttpStatus.valueOf(create("budget-a", "race").returnResult(String.class).getStatus().value());
        });
      }
      for (Future<HttpStatus> answer : clients.invokeAll(posts)) {
        answers.add(answer.get());
      }
    } finally {
      clients.shutdownNow();
    }

    assertThat(answers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
        .containsExactlyInAnyOrderEntriesOf(Map.of(HttpStatus.ACCEPTED, 5L, HttpStatus.PAYMENT_REQUIRED, racing - 5L));
    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'budget-a'", Long.class))
        .isEqualTo(5);
    getBudget("budget-a", "race")
        .jsonPath("$.amountUsd").isEqualTo(0.015)
        .jsonPath("$.reservedUsd").isEqualTo(0.015)
        .jsonPath("$.spentUsd").isEqualTo(0)
        .jsonPath("$.remainingUsd").isEqualTo(0);
  }

  @Test
  void givenAFullBudget_whenAJobIsCreated_thenA402ProblemNamesTheBudgetAndNothingIsWritten() {
    putBudget("budget-b", "full", "0.004", false);
    create("budget-b", "full").expectStatus().isAccepted();

    create("budget-b", "full")
        .expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.title").isEqualTo("Budget exceeded")
        .jsonPath("$.projectId").isEqualTo("full")
        .jsonPath("$.budgetUsd").isEqualTo(0.004)
        .jsonPath("$.spentUsd").isEqualTo(0)
        .jsonPath("$.reservedUsd").isEqualTo(0.003)
        .jsonPath("$.estimatedCostUsd").isEqualTo(0.003);

    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = 'budget-b'", Long.class)).isEqualTo(1);
    // Another project of the tenant, and the same project id of another tenant, are not limited by it.
    create("budget-b", "other").expectStatus().isAccepted();
    create("budget-c", "full").expectStatus().isAccepted();
  }

  @Test
  void givenJobsThatEnd_thenTheirReservationsSettleToTheActualCostAndARetryReservesAgain() {
    putBudget("budget-d", "settle", "0.01", true);
    String completing = jobId(create("budget-d", "settle").expectStatus().isAccepted());
    String failing = jobId(create("budget-d", "settle").expectStatus().isAccepted());
    awaitOutboxDrained();

    LifecycleEvents completed = LifecycleEvents.forJob(completing, "budget-d");
    LifecycleEvents failed = LifecycleEvents.forJob(failing, "budget-d");
    publish(completed.started(), completed.generationStarted(1), completed.imageGenerated(3_500),
        completed.uploadStarted(), completed.completed("tenant_budget-d/x.png", "0".repeat(64), 10),
        failed.started(), failed.failed("processing", "PERMANENT", "refused"));

    // The completed run spent its actual cost (500 above its estimate); the failed one released its reservation.
    await().atMost(PATIENCE).untilAsserted(() -> getBudget("budget-d", "settle")
        .jsonPath("$.spentUsd").isEqualTo(0.0035)
        .jsonPath("$.reservedUsd").isEqualTo(0)
        .jsonPath("$.overrunUsd").isEqualTo(0.0005)
        .jsonPath("$.remainingUsd").isEqualTo(0.0065)
        .jsonPath("$.monthlyReset").isEqualTo(true));

    as("budget-d").get().uri("/api/v1/images/stats?projectId=settle").exchange().expectStatus().isOk().expectBody()
        .jsonPath("$.budget.spentUsd").isEqualTo(0.0035)
        .jsonPath("$.budget.remainingUsd").isEqualTo(0.0065);

    as("budget-d").post().uri(JOBS + "/" + failing + "/retry").exchange().expectStatus().isAccepted();
    getBudget("budget-d", "settle").jsonPath("$.reservedUsd").isEqualTo(0.003);

    // Delivered again, the ended runs settle nothing twice.
    publish(completed.completed("tenant_budget-d/x.png", "0".repeat(64), 10));
    awaitProjectionCaughtUp();
    getBudget("budget-d", "settle").jsonPath("$.spentUsd").isEqualTo(0.0035);
  }

  @Test
  void givenABudgetTooSmallForARetry_thenTheRetryIsRefusedWith402AndTheJobStaysFailed() {
    putBudget("budget-e", "retry", "0.003", false);
    String jobId = jobId(create("budget-e", "retry").expectStatus().isAccepted());
    awaitOutboxDrained();
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "budget-e");
    publish(job.started(), job.generationStarted(1), job.imageGenerated(3_000), job.failed("uploading", "PERMANENT",
        "refused"));
    await().atMost(PATIENCE).untilAsserted(() -> getBudget("budget-e", "retry").jsonPath("$.spentUsd").isEqualTo(0.003));

    as("budget-e").post().uri(JOBS + "/" + jobId + "/retry").exchange()
        .expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
        .expectBody().jsonPath("$.title").isEqualTo("Budget exceeded");
    as("budget-e").get().uri(JOBS + "/" + jobId).exchange().expectBody().jsonPath("$.status").isEqualTo("failed");
  }

  @Test
  void givenABadBudget_thenItIsRefusedWith400_andAProjectWithoutOneAnswers404() {
    as("budget-f").put().uri("/api/v1/images/budgets/p1").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":-1}").exchange().expectStatus().isBadRequest();
    as("budget-f").put().uri("/api/v1/images/budgets/p1").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":0.0000001}").exchange().expectStatus().isBadRequest();
    as("budget-f").get().uri("/api/v1/images/budgets/p1").exchange().expectStatus().isNotFound();
  }

  @Test
  void givenThresholds_whenCreationsCrossThem_thenEachIsRecordedOnceAndANewAmountStartsThemAgain() {
    as("budget-t").put().uri("/api/v1/images/budgets/alerts").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":0.010,\"monthlyReset\":false,\"thresholdsPercent\":[90,50]}")
        .exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.thresholdsPercent").isEqualTo(List.of(50, 90))
        .jsonPath("$.thresholdReachedPercent").isEqualTo(0);

    create("budget-t", "alerts").expectStatus().isAccepted(); // 30 %
    assertThat(alerts("budget-t")).isEmpty();
    create("budget-t", "alerts").expectStatus().isAccepted(); // 60 %: past 50
    create("budget-t", "alerts").expectStatus().isAccepted(); // 90 %: reaches 90
    create("budget-t", "alerts").expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED);

    assertThat(alerts("budget-t")).containsExactly(Map.of("threshold_percent", 50, "reserved_micros", 6000L),
        Map.of("threshold_percent", 90, "reserved_micros", 9000L));
    getBudget("budget-t", "alerts").jsonPath("$.thresholdReachedPercent").isEqualTo(90);

    // A larger amount starts counting again; where spending stands is not announced again by itself.
    putBudget("budget-t", "alerts", "0.100", false);
    getBudget("budget-t", "alerts").jsonPath("$.thresholdReachedPercent").isEqualTo(0)
        .jsonPath("$.thresholdsPercent").isEqualTo(List.of(50, 90));
    assertThat(alerts("budget-t")).hasSize(2);
    as("budget-t").put().uri("/api/v1/images/budgets/alerts").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":0.100,\"thresholdsPercent\":[0]}").exchange().expectStatus().isBadRequest();
  }

  private List<Map<String, Object>> alerts(String tenant) {
    return jdbc().queryForList("SELECT threshold_percent, reserved_micros FROM budget_alerts WHERE tenant_id = ?"
        + " ORDER BY id", tenant);
  }

  private void putBudget(String tenant, String project, String amountUsd, boolean monthly) {
    as(tenant).put().uri("/api/v1/images/budgets/" + project).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"amountUsd\":" + amountUsd + ",\"monthlyReset\":" + monthly + "}")
        .exchange().expectStatus().isOk();
  }

  private org.springframework.test.web.reactive.server.WebTestClient.BodyContentSpec getBudget(String tenant,
      String project) {
    return as(tenant).get().uri("/api/v1/images/budgets/" + project).exchange().expectStatus().isOk().expectBody();
  }

  private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec create(String tenant, String project) {
    return as(tenant).post().uri(JOBS).contentType(MediaType.APPLICATION_JSON).bodyValue(BODY.formatted(project))
        .exchange();
  }

  private static String jobId(org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec created) {
    String location = created.returnResult(String.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
