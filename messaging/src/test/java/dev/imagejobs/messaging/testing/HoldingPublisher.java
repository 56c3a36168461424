package dev.imagejobs.messaging.testing;

import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;

/**
 * A publisher whose acknowledgements the test hands out: events of the held types wait until the
 * test acknowledges or fails them, every other event is acknowledged at once. Shows that work goes
 * on without waiting for its events, and ends only once they are acknowledged. Shipped in the
 * messaging test-jar.
 */
public final class HoldingPublisher implements LifecyclePublisher {
  private final Set<EventType> held;
  private final List<LifecycleEvent> sent = new CopyOnWriteArrayList<>();
  private final Map<EventType, List<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

  public HoldingPublisher(EventType first, EventType... more) {
    this.held = EnumSet.of(first, more);
  }

  @Override
  public CompletableFuture<Void> send(SpecificRecord event) {
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    sent.add(lifecycleEvent);
    if (!held.contains(lifecycleEvent.type())) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> acknowledgement = new CompletableFuture<>();
    waiting.computeIfAbsent(lifecycleEvent.type(), type -> new CopyOnWriteArrayList<>()).add(acknowledgement);
    return acknowledgement;
  }

  /** The types of the events sent so far, in send order. */
  public List<EventType> sentTypes() {
    return sent.stream().map(LifecycleEvent::type).toList();
  }

  /** Acknowledges every held event of {@code type} sent so far. */
  public void acknowledge(EventType type) {
    waiting.getOrDefault(type, List.of()).forEach(acknowledgement -> acknowledgement.complete(null));
  }

  /** Fails every held event of {@code type} sent so far, as an unreachable broker would. */
  public void fail(EventType type) {
    waiting.getOrDefault(type, List.of()).forEach(acknowledgement -> acknowledgement.completeExceptionally(
        new EventPublishingException("Cannot publish " + type.simpleName(), new IllegalStateException("timeout"))));
  }
}
