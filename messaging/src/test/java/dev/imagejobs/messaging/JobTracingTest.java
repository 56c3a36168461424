package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A job's spans on a real OpenTelemetry tracer, linked only through the propagator. */
class JobTracingTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SENDER_SPAN = "00f067aa0ba902b7";

  private final List<SpanData> finished = new CopyOnWriteArrayList<>();
  private ObservationRegistry registry;
  private final SdkTracerProvider provider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(new Collecting()))
      .build();
  private final JobTracing tracing = tracing();

  @AfterEach
  void closeTracer() {
    provider.close();
  }

  @Test
  void aRecordsWorkIsAChildOfTheSenderAndItsSpansAndSendsAreChildrenOfIt() {
    RecordHeaders received = headers("00-" + TRACE_ID + "-" + SENDER_SPAN + "-01");
    RecordHeaders emitted = new RecordHeaders();
    CompletableFuture<Void> work = new CompletableFuture<>();

    CompletableFuture<Void> done = tracing.consume(received, "job-1", "JobRequested", () -> {
      assertThat(MDC.get(JobTracing.JOB_ID)).isEqualTo("job-1");
      return work;
    });
    // Later, on another thread as far as the job's span is concerned: looked up by job id.
    tracing.within("job-1", "image-jobs.provider.call", () -> CompletableFuture.completedFuture("image"),
        "provider", "local").join();
    tracing.emitting(emitted, "job-1", "image-jobs.completed.publish");
    work.complete(null);
    done.join();

    SpanData consume = span("JobRequested receive");
    assertThat(consume.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(consume.getParentSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(consume.getAttributes().asMap().toString()).contains("job-1");
    assertThat(span("image-jobs.provider.call").getParentSpanId()).isEqualTo(consume.getSpanId());
    SpanData publish = span("image-jobs.completed.publish");
    assertThat(publish.getParentSpanId()).isEqualTo(consume.getSpanId());
    // The header is the publishing span's, written by the propagator.
    assertThat(header(emitted)).isEqualTo("00-" + TRACE_ID + "-" + publish.getSpanId() + "-01");
    assertThat(MDC.get(JobTracing.JOB_ID)).isNull();
  }

  @Test
  void aSendMadeWhileTheJobsSpanIsScopedIsItsChild() {
    tracing.consume(headers("00-" + TRACE_ID + "-" + SENDER_SPAN + "-01"), "job-2", "ImageGenerated", () -> {
      tracing.scoped("job-2", () -> Observation.createNotStarted("send", registry).observe(() -> "sent"));
      return CompletableFuture.completedFuture(null);
    }).join();

    assertThat(span("send").getParentSpanId()).isEqualTo(span("ImageGenerated receive").getSpanId());
  }

  @Test
  void workDoneAtOnceThatFailsEndsItsSpanAndTheFailureReachesTheCaller() {
    IllegalStateException failure = new IllegalStateException("state store closed");

    assertThatThrownBy(() -> tracing.consumeNow(
            headers("00-" + TRACE_ID + "-" + SENDER_SPAN + "-01"), "job-5", "JobCompleted", () -> {
              throw failure;
            }))
        .isSameAs(failure);

    SpanData consume = span("JobCompleted receive");
    assertThat(consume.getParentSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(consume.getStatus().getStatusCode().name()).isEqualTo("ERROR");
    assertThat(MDC.get(JobTracing.JOB_ID)).isNull();
  }

  @Test
  void aStoredTraceparentIsContinued() {
    tracing.continuing("00-" + TRACE_ID + "-" + SENDER_SPAN + "-01", "image-jobs.outbox.publish", "job-3", () -> {
      assertThat(MDC.get(JobTracing.JOB_ID)).isEqualTo("job-3");
      return null;
    });

    SpanData publish = span("image-jobs.outbox.publish");
    assertThat(publish.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(publish.getParentSpanId()).isEqualTo(SENDER_SPAN);
    assertThat(MDC.get(JobTracing.JOB_ID)).isNull();
  }

  @Test
  void withoutTracingNothingIsWrittenAndTheWorkStillRuns() {
    RecordHeaders emitted = new RecordHeaders();
    JobTracing disabled = JobTracing.disabled();

    assertThat(disabled.consume(new RecordHeaders(), "job-4", "JobRequested",
        () -> CompletableFuture.completedFuture(null))).isCompleted();
    disabled.emitting(emitted, "job-4", "image-jobs.completed.publish");

    assertThat(emitted.lastHeader("traceparent")).isNull();
  }

  private JobTracing tracing() {
    io.opentelemetry.api.trace.Tracer otel = provider.get("test");
    OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
    OtelPropagator propagator = new OtelPropagator(
        ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
    return new JobTracing(registry, propagator);
  }

  private SpanData span(String name) {
    return finished.stream().filter(span -> span.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("No span " + name + " in " + finished));
  }

  private static RecordHeaders headers(String traceparent) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  private static String header(RecordHeaders headers) {
    return new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8);
  }

  private final class Collecting implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      finished.addAll(spans);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
