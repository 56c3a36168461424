package dev.imagejobs.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a job's live history and its rebuilt one tell the same story. They hold the same rows in
 * the same order, except where the gateway's own events sit: the gateway records a command (a
 * cancel) in the read model when it accepts it, while the topic orders it where the outbox's send
 * landed, after pipeline events already on their way. So a command event may stand earlier in the
 * live history than in the rebuilt one, with the status it met there; every event is in both, and the
 * services' events are in the same order with the same content.
 */
final class HistoryOrder {
  /** The producer of the events the gateway writes itself ({@code EventMetadata.producer}). */
  static final String GATEWAY = "gateway";
  /** The columns that follow from where an event stands: its number and the status it led to. */
  private static final List<String> POSITIONAL = List.of("seq", "status_after");

  private HistoryOrder() {}

  /** Not the same, but only because gateway events stand earlier in the live history ({@link HistoryOrder}). */
  static boolean sameButCommandsEarlier(List<Map<String, Object>> live, List<Map<String, Object>> rebuilt) {
    if (live.size() != rebuilt.size()) {
      return false;
    }
    List<Map<String, Object>> liveServices = services(live);
    List<Map<String, Object>> rebuiltServices = services(rebuilt);
    if (!withoutPosition(liveServices).equals(withoutPosition(rebuiltServices))) {
      return false;
    }
    for (Map<String, Object> command : commands(live)) {
      Map<String, Object> match = rebuilt.stream()
          .filter(event -> Objects.equals(event.get("event_id"), command.get("event_id"))).findFirst().orElse(null);
      if (match == null || !withoutPosition(List.of(match)).equals(withoutPosition(List.of(command)))
          || position(live, command) > position(rebuilt, match)) {
        return false;
      }
    }
    return true;
  }

  private static List<Map<String, Object>> services(List<Map<String, Object>> history) {
    return history.stream().filter(event -> !GATEWAY.equals(event.get("producer"))).toList();
  }

  private static List<Map<String, Object>> commands(List<Map<String, Object>> history) {
    return history.stream().filter(event -> GATEWAY.equals(event.get("producer"))).toList();
  }

  private static List<Map<String, Object>> withoutPosition(List<Map<String, Object>> events) {
    return events.stream().map(event -> {
      Map<String, Object> copy = new LinkedHashMap<>(event);
      POSITIONAL.forEach(copy::remove);
      return (Map<String, Object>) copy;
    }).toList();
  }

  private static int position(List<Map<String, Object>> history, Map<String, Object> event) {
    for (int i = 0; i < history.size(); i++) {
      if (Objects.equals(history.get(i).get("event_id"), event.get("event_id"))) {
        return i;
      }
    }
    return -1;
  }
}
