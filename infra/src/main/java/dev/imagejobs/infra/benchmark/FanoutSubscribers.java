package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many event-stream subscribers on one gateway, and what they receive while a measurement is open:
 * every copy that arrives (for the cost per copy), and for each event that happened inside the
 * measured window (by its own time, {@code updatedAt}) every copy of it and its delivery latency,
 * the time the copy arrived minus the event's time, both on this machine's clock. Copies of window
 * events keep counting after the window closes, for a grace period, so a gateway that delivers late
 * shows a high latency rather than missing copies.
 */
final class FanoutSubscribers implements AutoCloseable {

  /** What arrived while one measurement was open. */
  static final class Measurement {
    private final long fromMicros;
    private volatile long toMicros = Long.MAX_VALUE;
    private volatile boolean windowOpen = true;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final Map<String, LongAdder> copiesPerEvent = new ConcurrentHashMap<>();
    private final LongAdder arrivals = new LongAdder();
    private final LongAdder unreadable = new LongAdder();

    Measurement(long fromMicros) {
      this.fromMicros = fromMicros;
    }

    /** Delivery latency of every copy of a window event received so far. */
    LatencySummary latency() {
      return latency.summary();
    }

    /** Distinct window events at least one subscriber received. */
    long events() {
      return copiesPerEvent.size();
    }

    /** Copies of window events received so far. */
    long copies() {
      return copiesPerEvent.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Copies of any event that arrived while the window was open. */
    long arrivals() {
      return arrivals.sum();
    }

    long unreadable() {
      return unreadable.sum();
    }

    long negative() {
      return latency.negativeCount();
    }

    private void closeWindow(long micros) {
      toMicros = micros;
      windowOpen = false;
    }

    private void accept(SseEvent event, long receivedEpochMicros, JsonMapper json) {
      if (windowOpen) {
        arrivals.increment();
      }
      JobViewFields view;
      try {
        view = JobViewFields.parse(json, event.data());
      } catch (RuntimeException e) {
        unreadable.increment();
        return;
      }
      if (view.updatedAt() == null || view.jobId() == null) {
        unreadable.increment();
        return;
      }
      long eventMicros = view.updatedAt().getEpochSecond() * 1_000_000 + view.updatedAt().getNano() / 1_000;
      if (eventMicros < fromMicros || eventMicros >= toMicros) {
        return;
      }
      copiesPerEvent.computeIfAbsent(view.jobId() + "#" + view.eventSeq(), key -> new LongAdder()).increment();
      latency.recordMicros(receivedEpochMicros - eventMicros);
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

  /** Opens a measurement window now: events from now on are measured. */
  Measurement startMeasurement() {
    Measurement measurement = new Measurement(nowMicros());
    current.set(measurement);
    return measurement;
  }

  /** Closes the window: later events are no longer measured, later copies of window events still are. */
  void closeWindow(Measurement measurement) {
    measurement.closeWindow(nowMicros());
  }

  /** Stops measuring altogether. */
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
    if (measurement != null) {
      measurement.accept(event, receivedEpochMicros, json);
    }
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
