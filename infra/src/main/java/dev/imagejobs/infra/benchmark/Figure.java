package dev.imagejobs.infra.benchmark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured figure: a name, its unit, one or more named values (e.g. {@code p50}, {@code p99}) and
 * a note on how it was measured or how to read it.
 *
 * @param name what was measured
 * @param unit the unit of every value ({@code ms}, {@code /s}, {@code %}, ...), empty for counts and text
 * @param values named values in display order: numbers, or text where a figure is a verdict
 * @param note how the figure was measured or what it is compared with; may be empty
 */
record Figure(String name, String unit, Map<String, Object> values, String note) {

  /** Key of a figure's only value. */
  static final String VALUE = "value";

  Figure {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    note = note == null ? "" : note;
  }

  static Figure of(String name, String unit, Object value, String note) {
    return new Figure(name, unit, Map.of(VALUE, value), note);
  }

  static Figure latency(String name, LatencySummary summary, String note) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("count", summary.count());
    values.put("p50", summary.p50());
    values.put("p95", summary.p95());
    values.put("p99", summary.p99());
    values.put("max", summary.max());
    return new Figure(name, "ms", values, note);
  }

  /** Counts by name ({@code 202}, {@code timeout}, ...), in the map's order. */
  static Figure counts(String name, Map<String, Long> counts, String note) {
    Map<String, Object> values = new LinkedHashMap<>();
    counts.forEach(values::put);
    if (values.isEmpty()) {
      values.put("none", 0L);
    }
    return new Figure(name, "", values, note);
  }
}
