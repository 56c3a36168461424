package dev.imagejobs.gateway.readmodel;

import java.util.List;

/**
 * One read of the event history in position order ({@link ReadModel#tail}).
 *
 * @param events the readable events after the position read from, at most the limit asked for
 * @param heldBack whether committed events after these are not readable yet, because an older
 *     transaction is still running: a reader should look again shortly
 */
public record TailPage(List<RecordedEvent> events, boolean heldBack) {
  public TailPage {
    events = List.copyOf(events);
  }
}
