package dev.imagejobs.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.messaging.WebhookMessages;
import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.outbound.WebhookSecret;
import dev.imagejobs.outbound.WebhookSignature;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Webhook endpoints through the API: registration only after a signed ping the endpoint accepts,
 * secrets shown once and sealed at rest, rotation, changes, the delivery log and redelivery, one
 * tenant never reaching another's.
 */
class WebhooksIT extends GatewayIntegrationTest {
  private static final String WEBHOOKS = "/api/v1/images/webhooks";

  /** A receiver that verifies pings against the secret the test registers, answering {@link #answer}. */
  private HttpServer receiver;
  private final List<Map<String, String>> pings = new CopyOnWriteArrayList<>();
  private volatile int answer = 204;
  private volatile String secret;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String id = exchange.getRequestHeaders().getFirst(WebhookMessages.ID);
      String timestamp = exchange.getRequestHeaders().getFirst(WebhookMessages.TIMESTAMP);
      String signature = exchange.getRequestHeaders().getFirst(WebhookMessages.SIGNATURE);
      boolean verified = secret != null
          && WebhookSignature.verify(secret, id, timestamp, body, signature, Duration.ofMinutes(5), Instant.now());
      pings.add(Map.of("path", exchange.getRequestURI().getPath(), "body", body, "verified", Boolean.toString(verified)));
      exchange.sendResponseHeaders(answer, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void givenAReceiverThatVerifiesSignatures_whenAnEndpointIsRegisteredWithItsSecret_thenThePingVerifiesAndTheSecretIsShownOnce() {
    secret = WebhookSecret.generate();

    register("hooks-a", "p1", url("/hooks"), secret)
        .expectStatus().isCreated()
        .expectHeader().valueMatches("Location", WEBHOOKS + "/[0-9a-f-]{36}")
        .expectBody()
        .jsonPath("$.secret").isEqualTo(secret)
        .jsonPath("$.projectId").isEqualTo("p1")
        .jsonPath("$.eventTypes").isEqualTo(List.of("job.completed", "job.failed"))
        .jsonPath("$.enabled").isEqualTo(true);
    String id = idOfLatest("hooks-a");

    assertThat(pings).singleElement().satisfies(ping -> {
      assertThat(ping.get("verified")).isEqualTo("true");
      assertThat(ping.get("body")).contains("\"type\":\"webhook.ping\"").contains("\"endpointId\":\"" + id + "\"");
    });
    as("hooks-a").get().uri(WEBHOOKS + "/" + id).exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.secret").doesNotExist().jsonPath("$.url").isEqualTo(url("/hooks"));
    as("hooks-a").get().uri(WEBHOOKS + "?projectId=p1").exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].id").isEqualTo(id);
    byte[] sealed = jdbc().queryForObject("SELECT secret FROM webhook_endpoints WHERE id = ?::uuid", byte[].class, id);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain(secret.substring(6));
    assertThat(new SecretBox(WEBHOOK_KEY).open(sealed)).isEqualTo(secret);
    as("hooks-other").get().uri(WEBHOOKS + "/" + id).exchange().expectStatus().isNotFound();
    as("hooks-other").delete().uri(WEBHOOKS + "/" + id).exchange().expectStatus().isNotFound();
  }

  @Test
  void givenAnEndpointThatAnswers500_whenItIsRegistered_thenA422SaysWhatItAnsweredAndNothingIsStored() {
    answer = 500;

    register("hooks-b", "p1", url("/down"), null)
        .expectStatus().isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.detail").isEqualTo("The endpoint did not accept the test ping: it answered HTTP 500");

    assertThat(jdbc().queryForObject("SELECT count(*) FROM webhook_endpoints WHERE tenant_id = 'hooks-b'", Long.class))
        .isZero();
  }

  @Test
  void givenInvalidRegistrations_whenPosted_thenEachIsA400NamingTheFieldAndNothingIsPinged() {
    for (String body : List.of(
        "{\"projectId\":\"p1\",\"url\":\"ftp://example.com/x\",\"eventTypes\":[\"job.failed\"]}",
        "{\"projectId\":\"p1\",\"url\":\"https://user:pw@example.com/x\",\"eventTypes\":[\"job.failed\"]}",
        "{\"projectId\":\"p1\",\"url\":\"" + url("/x") + "\",\"eventTypes\":[\"job.exploded\"]}",
        "{\"projectId\":\"p1\",\"url\":\"" + url("/x") + "\",\"eventTypes\":[]}",
        "{\"projectId\":\"p 1\",\"url\":\"" + url("/x") + "\",\"eventTypes\":[\"job.failed\"]}",
        "{\"projectId\":\"p1\",\"url\":\"" + url("/x") + "\",\"eventTypes\":[\"job.failed\"],\"secret\":\"whsec_short\"}")) {
      as("hooks-c").post().uri(WEBHOOKS).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
          .expectStatus().isBadRequest()
          .expectBody().jsonPath("$.errors[0].field").exists();
    }
    assertThat(pings).isEmpty();
  }

  @Test
  void givenAnEndpoint_whenItsSecretIsRotatedAndItsUrlChanged_thenTheNewUrlIsPingedWithBothSecretsAndBothSign() {
    secret = WebhookSecret.generate();
    register("hooks-d", "p1", url("/first"), secret).expectStatus().isCreated();
    String id = idOfLatest("hooks-d");

    String rotated = as("hooks-d").post().uri(WEBHOOKS + "/" + id + "/secret/rotate").exchange()
        .expectStatus().isOk()
        .expectBody(SecretRotation.class).returnResult().getResponseBody().secret();
    assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);
    assertThat(jdbc().queryForObject("SELECT previous_secret_expires_at > now() + interval '23 hours'"
        + " FROM webhook_endpoints WHERE id = ?::uuid", Boolean.class, id)).isTrue();

    // The receiver still only knows the old secret: the ping carries both signatures.
    as("hooks-d").patch().uri(WEBHOOKS + "/" + id).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"url\":\"" + url("/second") + "\",\"eventTypes\":[\"job.canceled\"]}").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.url").isEqualTo(url("/second")).jsonPath("$.eventTypes[0]").isEqualTo("job.canceled");
    assertThat(pings).hasSize(2);
    assertThat(pings.get(1)).containsEntry("path", "/second").containsEntry("verified", "true");

    as("hooks-d").patch().uri(WEBHOOKS + "/" + id).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":false}").exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.enabled").isEqualTo(false)
        .jsonPath("$.disabledReason").isEqualTo("Disabled by its owner");
    as("hooks-d").patch().uri(WEBHOOKS + "/" + id).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"enabled\":true}").exchange()
        .expectStatus().isOk().expectBody().jsonPath("$.enabled").isEqualTo(true)
        .jsonPath("$.disabledReason").doesNotExist();
  }

  @Test
  void givenDeliveriesWithAttempts_whenTheLogIsReadAndOneRedelivered_thenTheLogShowsEveryAttemptAndItIsDueAgain() {
    secret = WebhookSecret.generate();
    register("hooks-e", "p1", url("/log"), secret).expectStatus().isCreated();
    String id = idOfLatest("hooks-e");
    String eventId = UUID.randomUUID().toString();
    Long delivery = jdbc().queryForObject("INSERT INTO webhook_deliveries (endpoint_id, event_id, job_id, event_type,"
        + " data, occurred_at, status, attempts, ended_at) VALUES (?::uuid, ?, 'job-1', 'job.failed', '{}', now(),"
        + " 'failed', 2, now()) RETURNING id", Long.class, id, eventId);
    jdbc().update("INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, latency_ms, error)"
        + " VALUES (?, 1, now(), 500, 12, NULL), (?, 2, now(), NULL, 15000, 'timed out after 15 s')", delivery, delivery);

    WebTestClient client = as("hooks-e");
    client.get().uri(WEBHOOKS + "/" + id + "/deliveries").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$[0].messageId").isEqualTo("msg_" + eventId)
        .jsonPath("$[0].status").isEqualTo("failed")
        .jsonPath("$[0].attempts.length()").isEqualTo(2)
        .jsonPath("$[0].attempts[0].statusCode").isEqualTo(500)
        .jsonPath("$[0].attempts[1].statusCode").doesNotExist()
        .jsonPath("$[0].attempts[1].error").isEqualTo("timed out after 15 s")
        .jsonPath("$[0].attempts[1].latencyMs").isEqualTo(15000);

    client.post().uri(WEBHOOKS + "/" + id + "/deliveries/" + delivery + "/redeliver").exchange()
        .expectStatus().isAccepted();
    assertThat(jdbc().queryForMap("SELECT status, schedule_step, next_attempt_at <= now() AS due"
        + " FROM webhook_deliveries WHERE id = ?", delivery))
        .containsEntry("status", "pending").containsEntry("schedule_step", 0).containsEntry("due", true);
    as("hooks-other").post().uri(WEBHOOKS + "/" + id + "/deliveries/" + delivery + "/redeliver").exchange()
        .expectStatus().isNotFound();
    client.get().uri(WEBHOOKS + "/" + id + "/deliveries?status=sent").exchange().expectStatus().isBadRequest();

    client.delete().uri(WEBHOOKS + "/" + id).exchange().expectStatus().isNoContent();
    client.get().uri(WEBHOOKS + "/" + id).exchange().expectStatus().isNotFound();
    assertThat(jdbc().queryForObject("SELECT count(*) FROM webhook_deliveries WHERE id = ?", Long.class, delivery))
        .isZero();
  }

  private WebTestClient.ResponseSpec register(String tenant, String project, String url, String ownSecret) {
    String body = "{\"projectId\":\"" + project + "\",\"url\":\"" + url + "\",\"eventTypes\":[\"job.completed\","
        + "\"job.failed\",\"job.completed\"]" + (ownSecret == null ? "" : ",\"secret\":\"" + ownSecret + "\"") + "}";
    return as(tenant).post().uri(WEBHOOKS).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
  }

  private String idOfLatest(String tenant) {
    return jdbc().queryForObject("SELECT id::text FROM webhook_endpoints WHERE tenant_id = ?"
        + " ORDER BY created_at DESC LIMIT 1", String.class, tenant);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }
}
