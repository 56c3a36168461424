package dev.imagejobs.infra;

import static dev.imagejobs.infra.TestStacks.assetKeyJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.infra.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.ObjectAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One job's path through the five parts of the system is one trace: the caller's {@code traceparent}
 * on the {@code POST} is continued by the gateway, carried across Kafka in record headers, and every
 * service's spans (request, outbox publish, each consume, provider call, upload, projection, the
 * streams fold) reach an OTLP collector with parents that are spans of the same trace. The services'
 * structured log lines name the job and the trace.
 */
class TracingE2EIT {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path stateDir;

  @RegisterExtension
  static final StackLogsOnFailure LOGS = new StackLogsOnFailure();

  @Test
  void oneJobsSpansFormOneTraceAcrossEveryService() throws Exception {
    try (OtlpReceiver collector = new OtlpReceiver()) {
      StackSettings settings = TestStacks.settings(stateDir, Map.of(
          "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", collector.tracesEndpoint(),
          "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "200ms",
          "MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "1.0",
          "LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs"));
      LOGS.watch(new StateDirectory(stateDir).logs());

      try (RunningStack stack = LocalStack.start(settings)) {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/images/jobs"))
                .header("Authorization", "Bearer " + stack.devToken())
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                    assetKeyJob("hero", "A lighthouse at dawn", "16:9"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String jobId = JSON.readTree(created.body()).path("jobId").asString();
        JsonNode view = TestStacks.awaitEnded(stack, jobId, Duration.ofSeconds(60));
        assertThat(view.path("status").asString()).isEqualTo("completed");

        List<ReceivedSpan> trace = await("the job's spans from every service, every parent among them")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
            .until(() -> collector.spansOf(TRACE_ID), spans -> services(spans).containsAll(Set.of(
                "gateway-service", "generation-service", "upload-service", "streams-service"))
                && orphans(spans).isEmpty());

        assertThat(trace).as("the request continues the caller's trace")
            .anySatisfy(span -> assertSpan(span, "gateway-service", "SPAN_KIND_SERVER", "http post /api/v1/images/jobs")
                .returns(CALLER_SPAN, ReceivedSpan::parentSpanId));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "gateway-service", "SPAN_KIND_CONSUMER",
            "image-jobs.outbox.publish").returns(jobId, s -> s.attributes().get("jobId")));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "gateway-service", "SPAN_KIND_PRODUCER",
            "image-jobs.lifecycle.v1 send"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "generation-service", "SPAN_KIND_CONSUMER",
            "JobRequested receive"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "generation-service", "SPAN_KIND_INTERNAL",
            "image-jobs.provider.call").returns("local", s -> s.attributes().get("provider")));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "upload-service", "SPAN_KIND_CONSUMER",
            "ImageGenerated receive"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "upload-service", "SPAN_KIND_INTERNAL",
            "image-jobs.upload.store"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "streams-service", "SPAN_KIND_CONSUMER",
            "JobCompleted receive"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "streams-service", "SPAN_KIND_PRODUCER",
            "image-jobs.completed.publish"));
        assertThat(trace).anySatisfy(span -> assertSpan(span, "gateway-service", "SPAN_KIND_CONSUMER",
            "JobCompleted project"));
        assertThat(trace).allSatisfy(span -> assertThat(span.attributes().getOrDefault("jobId", jobId))
            .as("%s names the job", span.name()).isEqualTo(jobId));

        // Structured logs, switched on by one setting
        assertThat(Files.readAllLines(new StateDirectory(stateDir).log("generation-service")))
            .filteredOn(line -> line.startsWith("{"))
            .isNotEmpty()
            .allSatisfy(line -> assertThat(JSON.readTree(line).path("service").path("name").asString())
                .isEqualTo("generation-service"));
      }
    }
  }

  private static ObjectAssert<ReceivedSpan> assertSpan(ReceivedSpan span, String service,
      String kind, String name) {
    return assertThat(span).returns(service, ReceivedSpan::service).returns(kind, ReceivedSpan::kind)
        .returns(name, ReceivedSpan::name);
  }

  private static Set<String> services(List<ReceivedSpan> spans) {
    return spans.stream().map(ReceivedSpan::service).collect(Collectors.toSet());
  }

  /** Spans whose parent is neither a span of the trace nor the caller's. */
  private static List<ReceivedSpan> orphans(List<ReceivedSpan> spans) {
    Set<String> ids = spans.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
    return spans.stream()
        .filter(span -> !ids.contains(span.parentSpanId()) && !span.parentSpanId().equals(CALLER_SPAN))
        .toList();
  }
}
