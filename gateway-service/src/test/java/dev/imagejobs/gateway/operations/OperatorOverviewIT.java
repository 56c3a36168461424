package dev.imagejobs.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.Tokens;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.tokens.DevTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator dashboard's figures: across tenants, behind the operator role, from the read model
 * and from the broker (the projection's positions from PostgreSQL, dead letters from their topic).
 */
class OperatorOverviewIT extends GatewayIntegrationTest {
  private static final String OVERVIEW = "/api/v1/operator/overview";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_SCRAPE = 8 * 1024 * 1024;
  private static final Instant LONG_AGO = Instant.parse("2001-01-01T00:00:00Z");
  private static final String BODY = """
      {"jobType":"ASSET_IMAGE_KEY","projectId":"dash","branchId":"main","assetId":"hero",
       "prompt":"A lighthouse at dusk","aspectRatio":"16:9"}""";

  @Test
  void givenATenantsToken_whenTheOverviewIsAsked_thenItIsForbidden() {
    as("ops-tenant").get().uri(OVERVIEW).exchange().expectStatus().isForbidden();
    http.get().uri(OVERVIEW).exchange().expectStatus().isUnauthorized();
  }

  @Test
  void givenJobsQueuedStuckAndFailedAndAPoisonRecord_whenAnOperatorAsks_thenTheOverviewShowsThemAcrossTenants() {
    for (int i = 0; i < 2; i++) {
      as("ops-a").post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue(BODY)
          .exchange().expectStatus().isAccepted();
    }
    as("ops-a").post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(BODY.replace("\"aspectRatio\"", "\"priority\":\"low\",\"aspectRatio\""))
        .exchange().expectStatus().isAccepted();
    // Stuck since long before any other test's job, so it heads the list of the oldest.
    LifecycleEvents stuck = LifecycleEvents.aJob("ops-b");
    List<SpecificRecord> stuckEvents = List.of(stuck.requested(), stuck.started(), stuck.generationStarted(1));
    for (int i = 0; i < stuckEvents.size(); i++) {
      LifecycleEvent.of(stuckEvents.get(i)).metadata()
          .setOccurredAt(LONG_AGO.plusSeconds(i));
    }
    publish(stuckEvents.toArray(SpecificRecord[]::new));
    LifecycleEvents failing = LifecycleEvents.aJob("ops-c");
    publish(failing.requested(), failing.started(), failing.generationStarted(1));
    JobFailed failed = failing.failed("generating", "RATE_LIMIT", "The provider's quota is spent");
    failed.getMetadata().setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    publish(failed);
    String poison = UUID.randomUUID().toString();
    publishRaw(poison, "not an event".getBytes(StandardCharsets.UTF_8), Map.of());
    awaitProjectionCaughtUp();

    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode overview = overview();
      assertThat(find(overview.get("active"), "status", "queued").get("underOneMinute").asLong())
          .isGreaterThanOrEqualTo(2);
      JsonNode byPriority = overview.get("queuedByPriority");
      assertThat(byPriority).extracting(node -> node.get("priority").asString())
          .containsExactly("high", "normal", "low");
      assertThat(find(byPriority, "priority", "normal").get("jobs").asLong()).isGreaterThanOrEqualTo(2);
      assertThat(find(byPriority, "priority", "low").get("jobs").asLong()).isGreaterThanOrEqualTo(1);
      assertThat(find(byPriority, "priority", "low").get("oldestSeconds").isNumber()).as("the oldest's wait").isTrue();
      assertThat(find(overview.get("stuck"), "jobId", stuck.jobId()).get("status").asString()).isEqualTo("generating");
      assertThat(find(overview.get("failuresLastHour"), "errorClass", "RATE_LIMIT").get("jobs").asLong())
          .isGreaterThanOrEqualTo(1);
      assertThat(find(overview.get("endedLastHour"), "status", "failed").get("jobs").asLong()).isGreaterThanOrEqualTo(1);
      JsonNode minutes = overview.get("minutes");
      assertThat(minutes.size()).isEqualTo(15);
      assertThat(minutes.get(14).get("created").asLong() + minutes.get(13).get("created").asLong())
          .isGreaterThanOrEqualTo(2);
      // The 50 projects that spent most today: this one spent nothing, so it shows while fewer ended jobs today.
      JsonNode spend = overview.get("spendToday");
      if (spend.size() < 50) {
        assertThat(find(spend, "tenantId", "ops-c").get("jobs").asLong()).isEqualTo(1);
      }
      JsonNode projection = find(overview.get("lag"), "group", "image-jobs-gateway-projection");
      assertThat(projection.get("topic").asString()).isEqualTo("image-jobs.lifecycle.v1");
      assertThat(projection.get("committed").isNull()).isFalse();
      JsonNode letter = find(overview.get("deadLetters"), "jobId", poison);
      assertThat(letter.get("reason").asString()).isNotBlank();
      assertThat(letter.get("consumerGroup").asString()).isEqualTo("image-jobs-gateway-projection");
      assertThat(overview.get("deadLettersTotal").asLong()).isGreaterThanOrEqualTo(1);
      assertThat(overview.get("problems")).isEmpty();
    });

    // The same figures for alerting: the failed run counted with its duration, by job type and outcome.
    String metrics = new String(http.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_SCRAPE)).build()
        .get().uri("/actuator/prometheus").header(HttpHeaders.AUTHORIZATION, operator())
        .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
    assertThat(metrics).containsPattern("imagejobs_jobs_ended_total\\{[^}]*job_type=\"ASSET_IMAGE_KEY\"[^}]*"
        + "outcome=\"failed\"[^}]*} [1-9]")
        .containsPattern("imagejobs_jobs_duration_seconds_bucket\\{[^}]*outcome=\"failed\"");
  }

  private static String operator() {
    return "Bearer " + DevTokens.mintOperator(Tokens.SECRET, "ops", Duration.ofMinutes(5));
  }

  private JsonNode overview() {
    byte[] body = http.get().uri(OVERVIEW)
        .header(HttpHeaders.AUTHORIZATION, operator())
        .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
    return JSON.readTree(body);
  }

  /** The element of {@code array} whose {@code field} is {@code value}. */
  private static JsonNode find(JsonNode array, String field, String value) {
    List<String> seen = new ArrayList<>();
    for (JsonNode element : array) {
      if (value.equals(element.path(field).asString())) {
        return element;
      }
      seen.add(element.path(field).asString());
    }
    throw new AssertionError("No " + field + " = " + value + " among " + seen);
  }
}
