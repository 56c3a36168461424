package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Starting a local stack for an end-to-end test, and the HTTP calls the tests make against it. */
final class TestStacks {
  static final Path HOME = Path.of(System.getProperty("imagejobs.local-stack.home"));

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TestStacks() {}

  /** Settings of a stack kept in {@code stateDir}, every port chosen free, plus {@code extra}. */
  static StackSettings settings(Path stateDir, Map<String, String> extra) {
    Map<String, String> environment = new HashMap<>(Map.of(
        "IMAGEJOBS_STATE_DIR", stateDir.toString(),
        "GATEWAY_PORT", "0",
        "GENERATION_PORT", "0",
        "UPLOAD_PORT", "0",
        "STREAMS_PORT", "0",
        "WEBHOOKS_PORT", "0",
        "KAFKA_PORT", "0",
        "KAFKA_CONTROLLER_PORT", "0",
        "POSTGRES_PORT", "0"));
    environment.putAll(extra);
    return StackSettings.fromEnvironment(environment, HOME);
  }

  /** An asset-key job request of project {@code p1}, branch {@code main}. */
  static Map<String, Object> assetKeyJob(String assetId, String prompt, String aspectRatio) {
    return Map.of(
        "jobType", "ASSET_IMAGE_KEY",
        "projectId", "p1",
        "branchId", "main",
        "assetId", assetId,
        "prompt", prompt,
        "aspectRatio", aspectRatio);
  }

  /** Submits a job with the stack's development token; checks the 202 answer and returns the job id. */
  static String submit(RunningStack stack, Map<String, Object> body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/images/jobs"))
            .header("Authorization", "Bearer " + stack.devToken())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST answer: %s", response.body()).isEqualTo(202);
    JsonNode accepted = JSON.readTree(response.body());
    String jobId = accepted.path("jobId").asString();
    assertThat(accepted.path("status").asString()).isEqualTo("queued");
    assertThat(response.headers().firstValue("Location")).hasValue("/api/v1/images/jobs/" + jobId);
    return jobId;
  }

  /** The statuses a job ends in. */
  static final Set<String> TERMINAL = Set.of("completed", "failed", "canceled");

  /** The job's view once it has ended, polled every half second for up to {@code timeout}. */
  static JsonNode awaitEnded(RunningStack stack, String jobId, Duration timeout) {
    return await("job " + jobId).atMost(timeout).pollInterval(Duration.ofMillis(500))
        .until(() -> job(stack, jobId), view -> TERMINAL.contains(view.path("status").asString()));
  }

  /** GETs {@code path} of the service on {@code port}, with {@code bearerToken} when not null. */
  static HttpResponse<String> get(int port, String path, String bearerToken) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
    if (bearerToken != null) {
      request.header("Authorization", "Bearer " + bearerToken);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The job's view from the gateway. */
  static JsonNode job(RunningStack stack, String jobId) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/images/jobs/" + jobId))
            .header("Authorization", "Bearer " + stack.devToken()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET job %s: %s", jobId, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** GETs {@code path} of the gateway with the development token. */
  static HttpResponse<byte[]> get(RunningStack stack, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
            .header("Authorization", "Bearer " + stack.devToken()).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
