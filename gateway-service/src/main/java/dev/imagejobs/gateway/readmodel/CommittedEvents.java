package dev.imagejobs.gateway.readmodel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/**
 * Tells this instance's readers of the event history (the event streams) that a transaction of
 * this instance that wrote events has committed, so they read at once instead of waiting for a
 * database notification. Writers call {@link #announce()} after the commit; listeners must be cheap
 * and must not block.
 */
@Component
public class CommittedEvents {
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public void listen(Runnable listener) {
    listeners.add(listener);
  }

  public void announce() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }
}
