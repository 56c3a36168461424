package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client following a project's event stream, as a browser page would, and noting when each
 * job's terminal event arrived: the end of a job as its users see it. Like a browser's
 * {@code EventSource}, it reconnects with {@code Last-Event-ID} when the gateway ends the stream (as
 * it does to a client too far behind), after {@link #RECONNECT_DELAY}; events it receives later than
 * they happened count with their arrival time.
 */
final class ProjectStreamWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectStreamWatcher.class);
  static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

  private final SseClient client;
  private final String project;
  private final JsonMapper json;
  private final Map<String, Long> endedNanos = new ConcurrentHashMap<>();
  private final Map<String, String> endStatus = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
  private final LongAdder unreadable = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private volatile String lastEventId;
  private volatile boolean closed;
  private volatile SseSubscription subscription;

  ProjectStreamWatcher(SseClient client, String project, JsonMapper json) {
    this.client = client;
    this.project = project;
    this.json = json;
  }

  /** Subscribes and waits until the gateway has answered 200. */
  void open(Duration timeout) {
    subscription = client.subscribe(GatewayClient.PROJECT_EVENTS + project, null, this::onEvent, this::reconnect);
    OptionalInt status = subscription.awaitStatus(timeout);
    if (status.isEmpty() || status.getAsInt() != 200) {
      throw new IllegalStateException("The project stream of " + project + " did not open within " + timeout
          + " (status " + (status.isEmpty() ? "none" : status.getAsInt()) + ")");
    }
  }

  /** Whether the watcher still follows the stream (reconnecting counts as following). */
  boolean isOpen() {
    return subscription != null && !closed;
  }

  /** How many times the gateway ended the stream and the watcher resumed it. */
  long reconnects() {
    return reconnects.sum();
  }

  private void reconnect() {
    if (closed) {
      return;
    }
    reconnects.increment();
    LOG.info("The project stream of {} ended; resuming after {} in {}", project, lastEventId, RECONNECT_DELAY);
    Mono.delay(RECONNECT_DELAY).subscribe(tick -> {
      if (!closed) {
        subscription = client.subscribe(GatewayClient.PROJECT_EVENTS + project, lastEventId, this::onEvent,
            this::reconnect);
      }
    });
  }

  /** When the terminal event of {@code jobId} arrived ({@link System#nanoTime()}), or null. */
  Long endedNanos(String jobId) {
    return endedNanos.get(jobId);
  }

  /** The terminal status of {@code jobId}, or null while it runs. */
  String endStatus(String jobId) {
    return endStatus.get(jobId);
  }

  /** Completed events that arrived in {@code [fromNanos, toNanos)}. */
  long completedBetween(long fromNanos, long toNanos) {
    return completions.stream().filter(nanos -> nanos >= fromNanos && nanos < toNanos).count();
  }

  /** Completed events that arrived before {@code nanos}. */
  long completedBefore(long nanos) {
    return completions.stream().filter(at -> at < nanos).count();
  }

  long completed() {
    return completions.size();
  }

  /** Events whose data was not a readable job view. */
  long unreadable() {
    return unreadable.sum();
  }

  /** The latest terminal event's arrival among {@code jobIds}, or 0 when none ended. */
  long lastEndedNanos(Collection<String> jobIds) {
    return jobIds.stream().map(endedNanos::get).filter(nanos -> nanos != null).mapToLong(Long::longValue).max()
        .orElse(0);
  }

  /** Waits until every job of {@code jobIds} has ended, at most {@code timeout}; returns how many had not. */
  long awaitEnded(Collection<String> jobIds, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long open = countOpen(jobIds);
    while (open > 0 && System.nanoTime() < deadline) {
      if (!isOpen()) {
        LOG.warn("The project stream of {} ended; {} jobs not seen ending", project, open);
        return open;
      }
      Waits.sleep(Duration.ofMillis(200));
      open = countOpen(jobIds);
    }
    return open;
  }

  @Override
  public void close() {
    closed = true;
    if (subscription != null) {
      subscription.close();
    }
  }

  private long countOpen(Collection<String> jobIds) {
    return jobIds.stream().filter(id -> !endedNanos.containsKey(id)).count();
  }

  private void onEvent(SseEvent event, long receivedNanos, long receivedEpochMicros) {
    if (event.id() != null) {
      lastEventId = event.id();
    }
    JobViewFields view;
    try {
      view = JobViewFields.parse(json, event.data());
    } catch (RuntimeException e) {
      unreadable.increment();
      return;
    }
    if (view.jobId() == null || view.status() == null) {
      unreadable.increment();
      return;
    }
    boolean terminal = JobStatus.fromWireName(view.status()).map(JobStatus::isTerminal).orElse(false);
    if (terminal && endedNanos.putIfAbsent(view.jobId(), receivedNanos) == null) {
      endStatus.put(view.jobId(), view.status());
      if (view.status().equals(JobStatus.COMPLETED.wireName())) {
        completions.add(receivedNanos);
      }
    }
  }
}
