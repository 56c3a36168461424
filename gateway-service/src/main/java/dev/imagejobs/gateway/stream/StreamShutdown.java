package dev.imagejobs.gateway.stream;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ends every open stream when the instance shuts down, before the web server's graceful shutdown
 * waits for requests to finish: an event stream never finishes on its own, so shutdown would
 * otherwise wait for its whole timeout. Clients reconnect (to another instance) with
 * {@code Last-Event-ID} and miss nothing.
 */
@Component
class StreamShutdown implements SmartLifecycle {
  private final Sinks.Empty<Void> stopping = Sinks.empty();
  private volatile boolean running;

  /** Completes when the instance starts shutting down. */
  Mono<Void> stopping() {
    return stopping.asMono();
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    stopping.tryEmitEmpty();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stopped before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) starts waiting. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 512;
  }
}
