package dev.imagejobs.infra.benchmark;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.time.Instant;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Opens the gateway's event streams ({@code text/event-stream}), each on a connection of its own,
 * all served by Reactor Netty's few event-loop threads so thousands of streams cost little on the
 * client side. Each event is handed over with the time its bytes arrived.
 */
public final class SseClient implements AutoCloseable {

  /** Receives the events of one stream, on an event-loop thread: must not block. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param receivedNanos {@link System#nanoTime()} when the event's last bytes arrived
     * @param receivedEpochMicros the machine clock at the same moment, microseconds since the epoch
     */
    void onEvent(SseEvent event, long receivedNanos, long receivedEpochMicros);
  }

  private final ConnectionProvider connections = ConnectionProvider.newConnection();
  private final HttpClient http;

  public SseClient(String baseUrl, String token) {
    this.http = HttpClient.create(connections)
        .baseUrl(baseUrl)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .headers(headers -> {
          headers.set(HttpHeaderNames.ACCEPT, "text/event-stream");
          if (token != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
          }
        });
  }

  /** Opens {@code pathAndQuery} (e.g. {@code /api/v1/images/events?projectId=p}) and feeds its events to {@code listener}. */
  SseSubscription subscribe(String pathAndQuery, Listener listener) {
    return subscribe(pathAndQuery, null, listener, () -> { });
  }

  /**
   * Opens {@code pathAndQuery} resuming after {@code lastEventId} (none when null), feeds its events
   * to {@code listener} and runs {@code onEnd} once the stream has ended or failed.
   */
  public SseSubscription subscribe(String pathAndQuery, String lastEventId, Listener listener, Runnable onEnd) {
    SseSubscription subscription = new SseSubscription();
    SseParser parser = new SseParser();
    subscription.disposable(http
        .headers(headers -> {
          if (lastEventId != null) {
            headers.set("Last-Event-ID", lastEventId);
          }
        })
        .get()
        .uri(pathAndQuery)
        .response((response, body) -> {
          int status = response.status().code();
          subscription.answered(status);
          if (status != 200) {
            return body.then();
          }
          return body.asByteArray().doOnNext(bytes -> {
            long nanos = System.nanoTime();
            Instant now = Instant.now();
            long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
            parser.feed(bytes, event -> listener.onEvent(event, nanos, micros));
          }).then();
        })
        .subscribe(ignored -> { }, error -> {
          subscription.failed(error);
          onEnd.run();
        }, () -> {
          subscription.ended();
          onEnd.run();
        }));
    return subscription;
  }

  @Override
  public void close() {
    connections.disposeLater().block(Duration.ofSeconds(10));
  }
}
