package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many event-stream subscribers on one gateway, and the delivery latency of every copy of every
 * event they receive while a measurement is open: the time the copy arrived minus the event's own
 * time ({@code updatedAt} of its data), both on this machine's clock.
 */
final class FanoutSubscribers implements AutoCloseable {

  /** Copies received while a measurement is open. */
  static final class Measurement {
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder copies = new LongAdder();
    private final LongAdder unreadable = new LongAdder();

    LatencySummary latency() {
      return latency.summary();
    }

    long copies() {
      return copies.sum();
    }

    long unreadable() {
      return unreadable.sum();
    }

    long negative() {
      return latency.negativeCount();
    }
  }

  private final SseClient client;
  private final JsonMapper json;
  private final List<SseSubscription> subscriptions = new ArrayList<>();
  private final AtomicReference<Measurement> current = new AtomicReference<>();

  FanoutSubscribers(SseClient client, JsonMapper json) {
    this.client = client;
    this.json = json;
  }

  /**
   * Opens one stream per path at {@code perSecond} (open loop: no waiting for answers), then waits
   * for every answer up to {@code timeout}; returns the answers by status ({@code none} = no answer).
   */
  Map<String, Long> connect(List<String> paths, double perSecond, Duration timeout) {
    List<SseSubscription> opened = new ArrayList<>();
    ArrivalSchedule schedule = ArrivalSchedule.ofRate(perSecond, System.nanoTime());
    for (int i = 0; i < paths.size(); i++) {
      Waits.until(schedule.intendedNanos(i));
      opened.add(client.subscribe(paths.get(i), this::onEvent));
    }
    synchronized (subscriptions) {
      subscriptions.addAll(opened);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> answers = new TreeMap<>();
    for (SseSubscription subscription : opened) {
      OptionalInt status = subscription.awaitStatus(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      String answer = status.isEmpty() ? "none" : status.getAsInt() == SseSubscription.NO_ANSWER ? "failed"
          : Integer.toString(status.getAsInt());
      answers.merge(answer, 1L, Long::sum);
    }
    return answers;
  }

  /** Streams open right now. */
  long open() {
    synchronized (subscriptions) {
      return subscriptions.stream().filter(SseSubscription::isOpen).count();
    }
  }

  /** Starts counting copies into a new measurement. */
  Measurement startMeasurement() {
    Measurement measurement = new Measurement();
    current.set(measurement);
    return measurement;
  }

  void stopMeasurement() {
    current.set(null);
  }

  @Override
  public void close() {
    synchronized (subscriptions) {
      subscriptions.forEach(SseSubscription::close);
      subscriptions.clear();
    }
  }

  private void onEvent(SseEvent event, long receivedNanos, long receivedEpochMicros) {
    Measurement measurement = current.get();
    if (measurement == null) {
      return;
    }
    measurement.copies.increment();
    try {
      Instant updatedAt = JobViewFields.parse(json, event.data()).updatedAt();
      if (updatedAt == null) {
        measurement.unreadable.increment();
        return;
      }
      measurement.latency.recordMicros(
          receivedEpochMicros - (updatedAt.getEpochSecond() * 1_000_000 + updatedAt.getNano() / 1_000));
    } catch (RuntimeException e) {
      measurement.unreadable.increment();
    }
  }
}
