package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.readmodel.EventPosition;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Builds event streams from the {@link EventFeed}: each event has {@code id} (the resume
 * position), {@code event} (the lifecycle event type) and {@code data} (the job view right after
 * it, rendered once per event). A stream opens with the client's reconnection delay, keeps an idle
 * connection alive with comments, and ends when the instance shuts down.
 */
@Component
class JobEventStreams {
  private final EventFeed feed;
  private final StreamShutdown shutdown;
  private final StreamSettings settings;

  JobEventStreams(EventFeed feed, StreamShutdown shutdown, StreamSettings settings) {
    this.feed = feed;
    this.shutdown = shutdown;
    this.settings = settings;
  }

  /**
   * The events of one job after its event {@code afterSeq}, ids = the job's event sequence; the
   * stream completes once an event leaves the job in a terminal status.
   */
  Flux<ServerSentEvent<String>> ofJob(String jobId, long afterSeq) {
    return withHeartbeats(feed.job(jobId, afterSeq)
        .map(event -> event(event, Integer.toString(event.recorded().seq()))));
  }

  /** The events of every job of a project after {@code after}, ids = positions; never completes. */
  Flux<ServerSentEvent<String>> ofProject(String tenantId, String projectId, EventPosition after) {
    return withHeartbeats(feed.project(tenantId, projectId, after)
        .map(event -> event(event, event.recorded().position().token())));
  }

  private static ServerSentEvent<String> event(EventFeed.FeedEvent event, String id) {
    return ServerSentEvent.builder(event.data())
        .id(id)
        .event(event.recorded().eventType())
        .build();
  }

  private Flux<ServerSentEvent<String>> withHeartbeats(Flux<ServerSentEvent<String>> events) {
    Sinks.Empty<Void> done = Sinks.empty();
    ServerSentEvent<String> open = ServerSentEvent.<String>builder().comment("stream open")
        .retry(settings.clientRetry()).build();
    Flux<ServerSentEvent<String>> heartbeats = Flux.interval(settings.heartbeatInterval())
        .onBackpressureDrop()
        .map(tick -> ServerSentEvent.<String>builder().comment("heartbeat").build())
        .takeUntilOther(done.asMono());
    return Flux.merge(
            Flux.just(open).concatWith(events)
                .takeUntilOther(shutdown.stopping())
                .doFinally(signal -> done.tryEmitEmpty()),
            heartbeats);
  }
}
