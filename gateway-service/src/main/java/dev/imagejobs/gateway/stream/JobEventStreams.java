package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordedEvent;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Builds event streams. A stream always reads the history rows after the last id it sent, in
 * order, so what it sends is exactly what is committed, without gaps or repeats; notifications
 * (and, as a slow fallback, a timer) only tell it when to read again. Wake-ups that arrive while
 * a read runs collapse into one more read.
 */
@Component
class JobEventStreams {
  private static final Object WAKE = new Object();

  private final ReadModel readModel;
  private final JobEventNotifications notifications;
  private final StreamShutdown shutdown;
  private final StreamSettings settings;

  JobEventStreams(
      ReadModel readModel, JobEventNotifications notifications, StreamShutdown shutdown, StreamSettings settings) {
    this.readModel = readModel;
    this.notifications = notifications;
    this.shutdown = shutdown;
    this.settings = settings;
  }

  /**
   * The events of one job after its event {@code afterSeq}, ids = the job's event sequence; the
   * stream completes once the job's latest event leaves it in a terminal status.
   */
  Flux<ServerSentEvent<JobView>> ofJob(String jobId, long afterSeq) {
    AtomicLong last = new AtomicLong(afterSeq);
    AtomicBoolean ended = new AtomicBoolean();
    Flux<ServerSentEvent<JobView>> events = wakeUps(notifications.signals().filter(signal -> signal.concernsJob(jobId)))
        .concatMap(wake -> read(after -> readModel.eventsOfJob(jobId, after, settings.pageSize()), last,
                RecordedEvent::seq)
            .doOnNext(event -> ended.set(event.jobAfter().status().isTerminal()))
            .map(event -> Optional.of(event(event, event.seq())))
            // An empty Optional after a read that left the job ended closes the stream.
            .concatWith(Mono.<Optional<ServerSentEvent<JobView>>>fromSupplier(
                () -> ended.get() ? Optional.empty() : null)), 1)
        .takeWhile(Optional::isPresent)
        .map(Optional::get);
    return withHeartbeats(events);
  }

  /** The events of every job of a project after the global position {@code afterGlobalSeq}; never completes. */
  Flux<ServerSentEvent<JobView>> ofProject(String tenantId, String projectId, long afterGlobalSeq) {
    AtomicLong last = new AtomicLong(afterGlobalSeq);
    Flux<ServerSentEvent<JobView>> events =
        wakeUps(notifications.signals().filter(signal -> signal.concernsProject(projectId)))
            .concatMap(wake -> read(after -> readModel.eventsOfProject(tenantId, projectId, after, settings.pageSize()),
                    last, RecordedEvent::globalSeq)
                .map(event -> event(event, event.globalSeq())), 1);
    return withHeartbeats(events);
  }

  /**
   * Notifications first, then a slow periodic fallback, then one immediate read; subscribing to
   * notifications before the first read means nothing committed in between is missed.
   */
  private Flux<Object> wakeUps(Flux<EventSignal> signals) {
    return Flux.merge(
            signals.map(signal -> WAKE),
            Flux.interval(settings.rereadInterval()).map(tick -> WAKE),
            Mono.just(WAKE))
        .onBackpressureLatest();
  }

  /** Reads page after page of rows after {@code last} until a short page, advancing {@code last}. */
  private Flux<RecordedEvent> read(
      Function<Long, Flux<RecordedEvent>> page, AtomicLong last, ToLongFunction<RecordedEvent> id) {
    return page.apply(last.get()).collectList().flatMapMany(rows -> {
      if (rows.isEmpty()) {
        return Flux.empty();
      }
      last.set(id.applyAsLong(rows.get(rows.size() - 1)));
      Flux<RecordedEvent> rest = rows.size() < settings.pageSize()
          ? Flux.empty()
          : Flux.defer(() -> read(page, last, id));
      return Flux.fromIterable(rows).concatWith(rest);
    });
  }

  private static ServerSentEvent<JobView> event(RecordedEvent event, long id) {
    return ServerSentEvent.builder(JobView.of(event.jobAfter()))
        .id(Long.toString(id))
        .event(event.eventType())
        .build();
  }

  /**
   * Opens with the client's reconnection delay, keeps an idle connection alive with comments, and
   * ends when the instance shuts down.
   */
  private Flux<ServerSentEvent<JobView>> withHeartbeats(Flux<ServerSentEvent<JobView>> events) {
    Sinks.Empty<Void> done = Sinks.empty();
    ServerSentEvent<JobView> open = ServerSentEvent.<JobView>builder().comment("stream open")
        .retry(settings.clientRetry()).build();
    Flux<ServerSentEvent<JobView>> heartbeats = Flux.interval(settings.heartbeatInterval())
        .onBackpressureDrop()
        .map(tick -> ServerSentEvent.<JobView>builder().comment("heartbeat").build())
        .takeUntilOther(done.asMono());
    return Flux.merge(
            Flux.just(open).concatWith(events)
                .takeUntilOther(shutdown.stopping())
                .doFinally(signal -> done.tryEmitEmpty()),
            heartbeats);
  }
}
