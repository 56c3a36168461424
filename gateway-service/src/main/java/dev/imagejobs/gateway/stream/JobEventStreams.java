package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.security.TokenExpiry;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Builds event streams from the {@link EventFeed}: each event has {@code id} (the resume
 * position), {@code event} (the lifecycle event type) and {@code data} (the job view right after
 * it, rendered once per event). A stream opens with the client's reconnection delay, keeps an idle
 * connection alive with comments, counts against the bounds of {@link OpenStreams}, and ends when
 * the instance shuts down or when the token that opened it is no longer accepted (with a
 * {@code token expired} comment: the client reconnects with a fresh token and {@code Last-Event-ID}).
 */
@Component
class JobEventStreams {
  private static final ServerSentEvent<String> TOKEN_EXPIRED =
      ServerSentEvent.<String>builder().comment("token expired").build();

  private final EventFeed feed;
  private final StreamShutdown shutdown;
  private final StreamSettings settings;
  private final OpenStreams openStreams;

  JobEventStreams(EventFeed feed, StreamShutdown shutdown, StreamSettings settings, OpenStreams openStreams) {
    this.feed = feed;
    this.shutdown = shutdown;
    this.settings = settings;
    this.openStreams = openStreams;
  }

  /**
   * The events of one job after its event {@code afterSeq}, ids = the job's event sequence; the
   * stream completes once an event leaves the job in a terminal status.
   */
  Flux<ServerSentEvent<String>> ofJob(String tenantId, String jobId, long afterSeq, TokenExpiry expiry) {
    return stream(tenantId, feed.job(jobId, afterSeq)
        .map(event -> event(event, Integer.toString(event.recorded().seq()))), expiry);
  }

  /** The events of every job of a project after {@code after}, ids = positions; never completes. */
  Flux<ServerSentEvent<String>> ofProject(String tenantId, String projectId, EventPosition after, TokenExpiry expiry) {
    return stream(tenantId, feed.project(tenantId, projectId, after)
        .map(event -> event(event, event.recorded().position().token())), expiry);
  }

  /**
   * The events of a batch's jobs after {@code after}, ids = positions as in a project stream; the
   * stream completes once every job of the batch has ended.
   */
  Flux<ServerSentEvent<String>> ofBatch(String tenantId, Set<String> jobIds, EventPosition after, TokenExpiry expiry) {
    return stream(tenantId, feed.jobs(jobIds, after)
        .map(event -> event(event, event.recorded().position().token())), expiry);
  }

  private static ServerSentEvent<String> event(EventFeed.FeedEvent event, String id) {
    return ServerSentEvent.builder(event.data())
        .id(id)
        .event(event.recorded().eventType())
        .build();
  }

  /**
   * Counts the stream against {@link OpenStreams} at once (so a refusal is still a {@code 429}) and
   * releases it when the stream ends.
   */
  private Flux<ServerSentEvent<String>> stream(String tenantId, Flux<ServerSentEvent<String>> events, TokenExpiry expiry) {
    Runnable release = openStreams.admit(tenantId);
    Sinks.Empty<Void> done = Sinks.empty();
    ServerSentEvent<String> open = ServerSentEvent.<String>builder().comment("stream open")
        .retry(settings.clientRetry()).build();
    AtomicBoolean expired = new AtomicBoolean();
    Mono<Long> tokenExpires = Mono.delay(expiry.remainingAfter(Instant.now())).doOnNext(tick -> expired.set(true));
    Flux<ServerSentEvent<String>> untilExpiry = events.takeUntilOther(tokenExpires)
        .concatWith(Mono.fromSupplier(() -> expired.get() ? TOKEN_EXPIRED : null));
    Flux<ServerSentEvent<String>> heartbeats = Flux.interval(settings.heartbeatInterval())
        .onBackpressureDrop()
        .map(tick -> ServerSentEvent.<String>builder().comment("heartbeat").build())
        .takeUntilOther(done.asMono());
    return Flux.merge(
            Flux.just(open).concatWith(untilExpiry)
                .takeUntilOther(shutdown.stopping())
                .doFinally(signal -> done.tryEmitEmpty()),
            heartbeats)
        .doFinally(signal -> release.run());
  }
}
