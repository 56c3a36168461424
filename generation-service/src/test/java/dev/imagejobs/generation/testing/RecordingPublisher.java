package dev.imagejobs.generation.testing;

import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.TimeoutException;

/** Keeps the events it is given, in order; can refuse those of chosen jobs like an unreachable broker. */
public final class RecordingPublisher implements LifecyclePublisher {
  private final List<LifecycleEvent> published = new CopyOnWriteArrayList<>();
  private final Set<String> unreachableJobs = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();

  public void refuseEventsOf(String jobId) {
    unreachableJobs.add(jobId);
  }

  /** Accepts the events of {@code jobId} again, like a broker that came back. */
  public void acceptEventsOf(String jobId) {
    unreachableJobs.remove(jobId);
  }

  /** Keeps the event in send order and acknowledges it at once, unless its job's events are refused. */
  @Override
  public CompletableFuture<Void> send(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    if (unreachableJobs.contains(lifecycleEvent.jobId())) {
      refused.incrementAndGet();
      return CompletableFuture.failedFuture(new EventPublishingException(
          "Cannot publish " + lifecycleEvent.type().simpleName(),
          new TimeoutException("Expiring 1 record(s): 120000 ms has passed since batch creation")));
    }
    published.add(lifecycleEvent);
    return CompletableFuture.completedFuture(null);
  }

  /** How many events were refused so far. */
  public int refused() {
    return refused.get();
  }

  public List<LifecycleEvent> eventsOf(String jobId) {
    return published.stream().filter(e -> e.jobId().equals(jobId)).toList();
  }

  public List<EventType> typesOf(String jobId) {
    return eventsOf(jobId).stream().map(LifecycleEvent::type).toList();
  }

  public List<String> eventIdsOf(String jobId) {
    return eventsOf(jobId).stream().map(e -> e.metadata().getEventId()).toList();
  }

  public <T extends SpecificRecord> T last(String jobId, Class<T> type) {
    List<LifecycleEvent> events = eventsOf(jobId);
    return events.get(events.size() - 1).payload(type);
  }
}
