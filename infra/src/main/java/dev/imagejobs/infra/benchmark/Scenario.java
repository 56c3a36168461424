package dev.imagejobs.infra.benchmark;

/** One measurement of the benchmark, named as on the command line. */
interface Scenario {

  /** The command-line name. */
  String name();

  /** What it measures, in a few words. */
  String title();

  /**
   * Runs the measurement, adding settings, figures and notes to {@code result} as it goes (so a
   * failure half-way still reports what was measured). Every wait has a deadline.
   */
  void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception;
}
