package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything one run measured, with the machine and the options, rendered three ways: the table
 * printed at the end, {@code results.md} and {@code results.json}.
 *
 * @param startedAt when the run started
 * @param elapsed wall time of the whole run
 * @param machine the machine's facts
 * @param options the run's options
 * @param scenarios each scenario's result, in the order they ran
 */
record BenchmarkReport(
    Instant startedAt, Duration elapsed, Map<String, String> machine, Map<String, String> options,
    List<ScenarioResult> scenarios) {

  BenchmarkReport {
    machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    scenarios = List.copyOf(scenarios);
  }

  /** The printed table: per scenario, its settings, then one line per figure. */
  String text() {
    String n = System.lineSeparator();
    StringBuilder text = new StringBuilder();
    text.append("==================== Image Jobs benchmark ====================").append(n);
    text.append("started ").append(startedAt).append(", took ").append(minutes(elapsed)).append(n);
    machine.forEach((name, value) -> text.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value)));
    options.forEach((name, value) -> text.append(String.format(Locale.ROOT, "  %-28s %s%n", name, value)));
    for (ScenarioResult scenario : scenarios) {
      text.append(n).append("--- ").append(scenario.scenario()).append(": ").append(scenario.title())
          .append(" (").append(minutes(scenario.elapsed())).append(") ---").append(n);
      text.append("  settings").append(n);
      scenario.settings().forEach((name, value) -> text.append(String.format(Locale.ROOT, "    %-38s %s%n", name, value)));
      int width = scenario.figures().stream().mapToInt(figure -> figure.name().length()).max().orElse(10);
      text.append("  figures").append(n);
      for (Figure figure : scenario.figures()) {
        text.append(String.format(Locale.ROOT, "    %-" + width + "s  %s%n", figure.name(), values(figure)));
      }
      scenario.notes().forEach(note -> text.append("  NOTE ").append(note).append(n));
    }
    text.append("==============================================================").append(n);
    return text.toString();
  }

  /** {@code results.md}: a section per scenario with a settings table and a figures table. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Image Jobs benchmark results\n\n");
    md.append("Started ").append(startedAt).append(", took ").append(minutes(elapsed)).append(".\n\n");
    md.append("| machine and run | |\n|---|---|\n");
    machine.forEach((name, value) -> md.append("| ").append(cell(name)).append(" | ").append(cell(value)).append(" |\n"));
    options.forEach((name, value) -> md.append("| ").append(cell(name)).append(" | ").append(cell(value)).append(" |\n"));
    for (ScenarioResult scenario : scenarios) {
      md.append("\n## ").append(scenario.scenario()).append(": ").append(scenario.title()).append("\n\n");
      md.append("Took ").append(minutes(scenario.elapsed())).append(" (stack start-up included, never measured).\n\n");
      md.append("| setting | value |\n|---|---|\n");
      scenario.settings().forEach((name, value) ->
          md.append("| ").append(cell(name)).append(" | ").append(cell(value)).append(" |\n"));
      md.append("\n| figure | value | unit | how |\n|---|---|---|---|\n");
      for (Figure figure : scenario.figures()) {
        md.append("| ").append(cell(figure.name())).append(" | ").append(cell(values(figure))).append(" | ")
            .append(cell(figure.unit())).append(" | ").append(cell(figure.note())).append(" |\n");
      }
      if (!scenario.notes().isEmpty()) {
        md.append('\n');
        scenario.notes().forEach(note -> md.append("- **Note:** ").append(note).append('\n'));
      }
    }
    return md.toString();
  }

  /** {@code results.json}: the same content as a document (NaN figures as null). */
  String json(JsonMapper mapper) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("startedAt", startedAt.toString());
    document.put("elapsedSeconds", elapsed.toMillis() / 1000.0);
    document.put("machine", machine);
    document.put("options", options);
    List<Object> results = new ArrayList<>();
    for (ScenarioResult scenario : scenarios) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("scenario", scenario.scenario());
      entry.put("title", scenario.title());
      entry.put("elapsedSeconds", scenario.elapsed().toMillis() / 1000.0);
      entry.put("settings", scenario.settings());
      List<Object> figures = new ArrayList<>();
      for (Figure figure : scenario.figures()) {
        Map<String, Object> values = new LinkedHashMap<>();
        figure.values().forEach((name, value) -> values.put(name, finite(value)));
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", figure.name());
        item.put("unit", figure.unit());
        item.put("values", values);
        item.put("note", figure.note());
        figures.add(item);
      }
      entry.put("figures", figures);
      entry.put("notes", scenario.notes());
      results.add(entry);
    }
    document.put("scenarios", results);
    return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(document);
  }

  /** A figure's values on one line: the value alone, or {@code name value} pairs, with the unit. */
  static String values(Figure figure) {
    String unit = figure.unit().isEmpty() ? "" : " " + figure.unit();
    if (figure.values().size() == 1 && figure.values().containsKey(Figure.VALUE)) {
      return Numbers.format(figure.values().get(Figure.VALUE)) + unit;
    }
    List<String> parts = new ArrayList<>();
    figure.values().forEach((name, value) -> parts.add(name + " " + Numbers.format(value)));
    return String.join(" · ", parts) + unit;
  }

  private static Object finite(Object value) {
    if (value instanceof Double number && (number.isNaN() || number.isInfinite())) {
      return null;
    }
    return value;
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String minutes(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds < 60 ? seconds + " s" : (seconds / 60) + " min " + (seconds % 60) + " s";
  }
}
