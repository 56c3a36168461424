package dev.imagejobs.messaging;

import dev.imagejobs.schemas.CloudEventHeaders;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;
import org.slf4j.MDC;

/**
 * A job's spans in a service, linked across Kafka through the W3C {@code traceparent} header that
 * Micrometer Tracing's propagator writes when a record is sent (Spring Kafka's template observation,
 * or {@link #emitting} for Kafka Streams) and reads when one is received ({@link #consume}). Nothing
 * else writes that header; the {@code traceparent} field of the events is data, set from the span
 * that created the job.
 *
 * <p>A job's work in a service runs asynchronously on several threads, so its span is looked up by
 * job id rather than taken from the thread: {@link #within} starts child spans of it (a provider
 * call, a store) and {@link #scoped} makes it current while an event is sent, so the send's span is
 * its child. Spans are exported only where an OTLP endpoint is configured; without one they still
 * put trace and span ids into the log lines written in their scope, and the job id ({@link #JOB_ID}
 * in the logging context) beside them.
 */
public final class JobTracing {

  /** The observation of a lifecycle record's work in a service. */
  public static final String CONSUME = "image-jobs.consume";
  /** The span attribute and the logging context's field naming the job. */
  public static final String JOB_ID = "jobId";

  private final ObservationRegistry registry;
  private final Propagator propagator;
  private final Map<String, Observation> ofJob = new ConcurrentHashMap<>();

  public JobTracing(ObservationRegistry registry, Propagator propagator) {
    this.registry = registry;
    this.propagator = propagator;
  }

  /** Without tracing: observations that record nothing. */
  public static JobTracing disabled() {
    return new JobTracing(ObservationRegistry.NOOP, Propagator.NOOP);
  }

  /**
   * Runs {@code work} for a record of {@code jobId} as a span whose parent is the span that sent the
   * record (from its {@code traceparent} header); the span ends when the work's future does.
   */
  public CompletableFuture<Void> consume(Headers headers, String jobId, String eventType,
      Supplier<CompletableFuture<Void>> work) {
    Observation observation = receiving(headers, jobId, eventType, CONSUME, "receive");
    ofJob.put(jobId, observation);
    return around(observation, jobId, work, () -> ofJob.remove(jobId, observation));
  }

  /**
   * {@link #consume} for work done before it returns (a Kafka Streams processor): the span ends with
   * it, and an exception it throws is recorded and thrown on, for the caller's own failure handling.
   */
  public void consumeNow(Headers headers, String jobId, String eventType, Runnable work) {
    Observation observation = receiving(headers, jobId, eventType, CONSUME, "receive");
    ofJob.put(jobId, observation);
    try (Observation.Scope scope = observation.openScope(); LogContext job = LogContext.of(jobId)) {
      work.run();
    } catch (RuntimeException e) {
      observation.error(e);
      throw e;
    } finally {
      ofJob.remove(jobId, observation);
      observation.stop();
    }
  }

  /**
   * Starts a span named {@code name} (shown as "{@code eventType action}") for a record of
   * {@code jobId}, child of the span that sent the record (its {@code traceparent} header); the
   * caller stops it.
   */
  public Observation receiving(Headers headers, String jobId, String eventType, String name, String action) {
    ReceiverContext<Headers> context =
        new ReceiverContext<>((carrier, key) -> CloudEventHeaders.value(carrier, key).orElse(null), Kind.CONSUMER);
    context.setCarrier(headers);
    context.setRemoteServiceName("kafka");
    return Observation.createNotStarted(name, () -> context, registry)
        .contextualName(eventType + " " + action)
        .lowCardinalityKeyValue("event.type", eventType)
        .highCardinalityKeyValue(JOB_ID, jobId)
        .start();
  }

  /**
   * Runs {@code work} as a child span named {@code name} of the job's span in this service.
   *
   * @param tags low-cardinality key values of the span (and of its timer), as name, value, ...
   */
  public <T> CompletableFuture<T> within(String jobId, String name, Supplier<CompletableFuture<T>> work,
      String... tags) {
    Observation observation = childOfJob(jobId, Observation.createNotStarted(name, registry))
        .lowCardinalityKeyValues(KeyValues.of(tags))
        .highCardinalityKeyValue(JOB_ID, jobId)
        .start();
    return around(observation, jobId, work, () -> { });
  }

  /**
   * Runs {@code work} with {@code observation} current and the job in the logging context; the
   * observation ends (after {@code ended}) when the work's future does.
   */
  private static <T> CompletableFuture<T> around(Observation observation, String jobId,
      Supplier<CompletableFuture<T>> work, Runnable ended) {
    CompletableFuture<T> done;
    try (Observation.Scope scope = observation.openScope(); LogContext job = LogContext.of(jobId)) {
      done = work.get();
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return done.whenComplete((ignored, failure) -> {
      if (failure != null) {
        observation.error(failure);
      }
      ended.run();
      observation.stop();
    });
  }

  /** Runs {@code action} with the job's span in this service current, if it has one. */
  public <T> T scoped(String jobId, Supplier<T> action) {
    Observation observation = ofJob.get(jobId);
    if (observation == null) {
      return action.get();
    }
    try (Observation.Scope scope = observation.openScope(); LogContext job = LogContext.of(jobId)) {
      return action.get();
    }
  }

  /**
   * Runs {@code work} as a span named {@code name} whose parent is {@code traceparent}, a span
   * context stored as data (the outbox relay publishing what a request wrote).
   */
  public <T> T continuing(String traceparent, String name, String jobId, Supplier<T> work) {
    ReceiverContext<Map<String, String>> context = new ReceiverContext<>(Map::get, Kind.CONSUMER);
    context.setCarrier(traceparent == null ? Map.of() : Map.of(CloudEventHeaders.TRACEPARENT, traceparent));
    Observation observation = Observation.createNotStarted(name, () -> context, registry)
        .highCardinalityKeyValue(JOB_ID, jobId);
    try (LogContext job = LogContext.of(jobId)) {
      return observation.observe(work);
    }
  }

  /**
   * Marks a record being emitted by the job's span in this service as a child span of it named
   * {@code name}, writing that span into {@code headers} as {@code traceparent}.
   */
  public void emitting(Headers headers, String jobId, String name) {
    SenderContext<Headers> context = new SenderContext<>(CloudEventHeaders::set, Kind.PRODUCER);
    context.setCarrier(headers);
    context.setRemoteServiceName("kafka");
    childOfJob(jobId, Observation.createNotStarted(name, () -> context, registry))
        .highCardinalityKeyValue(JOB_ID, jobId)
        .observe(() -> { });
  }

  /** The {@code traceparent} of the span observed by {@code context}, if it has one. */
  public Optional<String> traceparent(Observation.Context context) {
    TracingObservationHandler.TracingContext tracing = context.get(TracingObservationHandler.TracingContext.class);
    if (tracing == null || tracing.getSpan() == null) {
      return Optional.empty();
    }
    Map<String, String> carrier = new HashMap<>();
    propagator.inject(tracing.getSpan().context(), carrier, Map::put);
    return Optional.ofNullable(carrier.get(CloudEventHeaders.TRACEPARENT));
  }

  /** {@code observation} as a child of the job's span in this service, else of the current one. */
  private Observation childOfJob(String jobId, Observation observation) {
    Observation parent = ofJob.get(jobId);
    return parent == null ? observation : observation.parentObservation(parent);
  }

  /** The job id in the logging context while a job's span is current, the earlier value restored after. */
  private record LogContext(String previous) implements AutoCloseable {
    static LogContext of(String jobId) {
      LogContext context = new LogContext(MDC.get(JOB_ID));
      MDC.put(JOB_ID, jobId);
      return context;
    }

    @Override
    public void close() {
      if (previous == null) {
        MDC.remove(JOB_ID);
      } else {
        MDC.put(JOB_ID, previous);
      }
    }
  }
}
