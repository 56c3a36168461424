package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario measured, with every setting it was measured with.
 *
 * @param scenario the scenario's command-line name
 * @param title what the scenario measures, in a few words
 * @param settings the settings of the stack and of the load, by name, in display order
 * @param figures the measured figures
 * @param notes warnings and remarks (a limit that is too low, jobs that never ended, a failure)
 * @param elapsed wall time of the scenario, stack start-up included
 */
record ScenarioResult(
    String scenario, String title, Map<String, String> settings, List<Figure> figures, List<String> notes,
    Duration elapsed) {

  ScenarioResult {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    figures = List.copyOf(figures);
    notes = List.copyOf(notes);
  }

  /** Collects a result while a scenario runs. */
  static final class Builder {
    private final String scenario;
    private final String title;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Builder(String scenario, String title) {
      this.scenario = scenario;
      this.title = title;
    }

    Builder setting(String name, Object value) {
      settings.put(name, String.valueOf(value));
      return this;
    }

    Builder settings(Map<String, String> more) {
      settings.putAll(more);
      return this;
    }

    Builder figure(Figure figure) {
      figures.add(figure);
      return this;
    }

    Builder figures(List<Figure> more) {
      figures.addAll(more);
      return this;
    }

    Builder note(String note) {
      notes.add(note);
      return this;
    }

    String scenario() {
      return scenario;
    }

    ScenarioResult build(Duration elapsed) {
      return new ScenarioResult(scenario, title, settings, figures, notes, elapsed);
    }
  }
}
