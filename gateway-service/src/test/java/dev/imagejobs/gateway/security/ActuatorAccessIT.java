package dev.imagejobs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.Tokens;
import dev.imagejobs.tokens.DevTokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/** Health is public; metrics and the other operational endpoints need the operator role. */
class ActuatorAccessIT extends GatewayIntegrationTest {

  @Test
  void givenNoTokenThenHealthAnswersAndMetricsAreRefused() {
    http.get().uri("/actuator/health").exchange().expectStatus().isOk();
    http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
  }

  @Test
  void givenATenantsTokenThenMetricsAndInfoAreForbidden() {
    as("tenant-peek").get().uri("/actuator/metrics").exchange()
        .expectStatus().isForbidden()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    as("tenant-peek").get().uri("/actuator/info").exchange().expectStatus().isForbidden();
    as("tenant-peek").get().uri("/actuator").exchange().expectStatus().isForbidden();
  }

  @Test
  void givenAnOperatorsTokenThenMetricsAnswer() {
    http.get().uri("/actuator/metrics")
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + DevTokens.mintOperator(Tokens.SECRET, "ops", Duration.ofMinutes(5)))
        .exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.names").isArray();
  }

  /** Requests are measured once each, not once per security filter (SecurityConfiguration). */
  @Test
  void givenAnAuthenticatedRequestThenItIsMeasuredWithoutSecurityObservations() {
    as("tenant-measured").get().uri("/api/v1/images/jobs").exchange().expectStatus().isOk();
    String operator = "Bearer " + DevTokens.mintOperator(Tokens.SECRET, "ops", Duration.ofMinutes(5));
    List<String> names = http.get().uri("/actuator/metrics").header(HttpHeaders.AUTHORIZATION, operator)
        .exchange()
        .expectStatus().isOk()
        .expectBody(MetricNames.class).returnResult().getResponseBody().names();
    assertThat(names).contains("http.server.requests");
    assertThat(names).noneMatch(name -> name.startsWith("spring.security"));
  }

  record MetricNames(List<String> names) {}
}
