package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording says the CPU went during a window: the methods most often on top of a
 * sampled stack ({@code jdk.ExecutionSample}: self time) and most often anywhere on it (total time,
 * each method counted once per sample).
 *
 * @param samples execution samples in the recording
 * @param self samples per method as the top frame, most first
 * @param total samples per method anywhere in the stack, most first
 */
record JfrSummary(long samples, List<Map.Entry<String, Long>> self, List<Map.Entry<String, Long>> total) {

  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

  /**
   * Reads the samples of {@code recording} taken in {@code [from, to)} and keeps the {@code top}
   * methods of each list.
   */
  static JfrSummary of(Path recording, int top, Instant from, Instant to) throws IOException {
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> total = new HashMap<>();
    long samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals(EXECUTION_SAMPLE)
            || event.getStartTime().isBefore(from) || !event.getStartTime().isBefore(to)) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        List<String> methods = stack.getFrames().stream().map(JfrSummary::method).toList();
        count(self, methods.get(0));
        Set<String> seen = new HashSet<>(methods);
        seen.forEach(method -> count(total, method));
      }
    }
    return new JfrSummary(samples, top(self, top), top(total, top));
  }

  /** Both lists as text, with each method's share of the samples. */
  String render(String title) {
    StringBuilder text = new StringBuilder();
    text.append(title).append(" (").append(samples).append(" execution samples)\n");
    section(text, "top methods by self samples (top frame)", self);
    section(text, "top methods by total samples (any frame)", total);
    return text.toString();
  }

  private void section(StringBuilder text, String heading, List<Map.Entry<String, Long>> entries) {
    text.append("  ").append(heading).append(":\n");
    for (Map.Entry<String, Long> entry : entries) {
      text.append(String.format(Locale.ROOT, "    %6d  %5.1f%%  %s%n", entry.getValue(),
          Numbers.percent(entry.getValue(), samples), entry.getKey()));
    }
  }

  static String method(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    return method == null ? "<unknown>" : method.getType().getName() + "." + method.getName();
  }

  private static void count(Map<String, Long> counts, String method) {
    counts.merge(method, 1L, Long::sum);
  }

  private static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int top) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(entry -> Map.entry(entry.getKey(), entry.getValue()))
        .toList();
  }
}
