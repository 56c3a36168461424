package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * Random and malformed job requests against the running gateway: every answer is a 202 or a 4xx
 * problem, never a 5xx; only the 202s wrote anything; the gateway is healthy afterwards.
 */
class RandomRequestsIT extends GatewayIntegrationTest {
  private static final int REQUESTS = 300;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void givenRandomAndMalformedBodiesThenEachAnswerIsA202OrAClear4xxAndOnlyThe202sWroteAJob() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> bodies = bodies().sampleStream().limit(REQUESTS).toList();
    List<EntityExchangeResult<String>> answers = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      // One tenant per request: rate limits and backlogs must not hide what validation does.
      answers.add(as("rnd-" + run + "-" + i).post().uri("/api/v1/images/jobs")
          .contentType(MediaType.APPLICATION_JSON).bodyValue(bodies.get(i))
          .exchange().expectBody(String.class).returnResult());
    }

    long accepted = 0;
    for (int i = 0; i < answers.size(); i++) {
      EntityExchangeResult<String> answer = answers.get(i);
      int status = answer.getStatus().value();
      assertThat(status).as("answer to %s: %s", bodies.get(i), answer.getResponseBody())
          .satisfiesAnyOf(code -> assertThat(code).isEqualTo(202), code -> assertThat(code).isBetween(400, 499));
      if (status == 202) {
        accepted++;
      } else {
        assertThat(answer.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(answer.getResponseBody()).contains("\"status\":" + status).contains("\"detail\"");
      }
    }
    assertThat(accepted).as("the random bodies include valid and invalid ones").isBetween(1L, REQUESTS - 1L);
    assertThat(jdbc().queryForObject("SELECT count(*) FROM jobs WHERE tenant_id LIKE ?", Long.class,
        "rnd-" + run + "-%")).isEqualTo(accepted);
    http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
  }

  /** Bodies: a valid request with some fields replaced by random values, removed or added, or junk. */
  private static Arbitrary<String> bodies() {
    Arbitrary<String> mutated = Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 6))
        .as((seed, changes) -> mutate(new Random(seed), changes));
    Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(200);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, mutated), net.jqwik.api.Tuple.of(1, junk));
  }

  private static String mutate(Random random, int changes) {
    Map<String, Object> body = new LinkedHashMap<>(Map.of(
        "jobType", "ASSET_IMAGE_KEY", "projectId", "p1", "branchId", "main", "assetId", "hero",
        "prompt", "A lighthouse keeper", "aspectRatio", "16:9"));
    List<String> fields = List.of("jobType", "projectId", "branchId", "sceneId", "shotId", "assetId", "prompt",
        "styleCapsuleId", "aspectRatio", "imageSize", "unknownField");
    for (int i = 0; i < changes; i++) {
      String field = fields.get(random.nextInt(fields.size()));
      switch (random.nextInt(4)) {
        case 0 -> body.remove(field);
        case 1 -> body.put(field, randomText(random));
        case 2 -> body.put(field, randomValue(random));
        default -> body.put(field, List.of("START_FRAME", "END_FRAME", "1:1", "4K", "s1", "sh1").get(random.nextInt(6)));
      }
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (RuntimeException e) {
      return "{";
    }
  }

  private static String randomText(Random random) {
    int length = random.nextInt(10) == 0 ? 4000 + random.nextInt(2000) : random.nextInt(40);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.appendCodePoint(random.nextInt(5) == 0 ? random.nextInt(0x2FFFF) : 0x20 + random.nextInt(0x5F));
    }
    return text.toString().replaceAll("[\\uD800-\\uDFFF]", "?");
  }

  private static Object randomValue(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> random.nextLong();
      case 1 -> random.nextBoolean();
      case 2 -> List.of(randomText(random));
      case 3 -> Map.of("nested", randomText(random));
      default -> random.nextDouble();
    };
  }
}
