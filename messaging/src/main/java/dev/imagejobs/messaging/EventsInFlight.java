package dev.imagejobs.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.avro.specific.SpecificRecord;

/**
 * The events of one piece of work (a job run, an upload), sent without waiting for each
 * acknowledgement: the work goes on at once, and {@link #acknowledged()} tells when every event sent
 * so far has reached the broker. Work is finished, and its record may be committed, only then, so
 * an intermediate event that fails fails the work and its record is delivered again; event ids
 * derive from the record, so consumers drop the events that did get out twice. Thread-safe.
 */
public final class EventsInFlight {
  private final LifecyclePublisher publisher;
  private final List<CompletableFuture<Void>> sent = new ArrayList<>();
  private volatile Throwable failure;

  public EventsInFlight(LifecyclePublisher publisher) {
    this.publisher = publisher;
  }

  /** Sends {@code event} and returns at once. */
  public void send(SpecificRecord event) {
    CompletableFuture<Void> acknowledgement = publisher.send(event);
    acknowledgement.whenComplete((done, failed) -> {
      if (failed != null && failure == null) {
        failure = unwrap(failed);
      }
    });
    synchronized (sent) {
      sent.add(acknowledgement);
    }
  }

  /**
   * Sends the work's outcome.
   *
   * @return completes once the outcome and every event sent before it were acknowledged, or fails
   *     with the first failure among them
   */
  public CompletableFuture<Void> sendLast(SpecificRecord outcome) {
    send(outcome);
    return acknowledged();
  }

  /** Completes once every event sent so far was acknowledged, or fails with the first failure. */
  public CompletableFuture<Void> acknowledged() {
    CompletableFuture<?>[] all;
    synchronized (sent) {
      all = sent.toArray(CompletableFuture[]::new);
    }
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    CompletableFuture.allOf(all).whenComplete((done, failed) -> {
      if (failed == null) {
        acknowledged.complete(null);
      } else {
        acknowledged.completeExceptionally(failure != null ? failure : unwrap(failed));
      }
    });
    return acknowledged;
  }

  /**
   * The failure of an event sent so far, if one is known already: work that will be delivered again
   * anyway may stop early, for instance before it pays for a provider call.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  private static Throwable unwrap(Throwable failed) {
    Throwable cause = failed;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
