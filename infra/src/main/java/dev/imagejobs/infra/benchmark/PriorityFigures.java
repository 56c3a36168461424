package dev.imagejobs.infra.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The figures of the {@code priority} scenario: one line per priority with each round's wait to
 * start and their median, then the backlog's figures the same way, so a reader can check that the
 * normal probe waited about as long as the jobs queued ahead of it take to start.
 */
final class PriorityFigures {

  static final String MEDIAN = "median";
  private static final String SERVER_SIDE = "server-side: createdAt -> startedAt of the job view";

  private PriorityFigures() {}

  static List<Figure> of(List<PriorityRound> rounds) {
    List<Figure> figures = new ArrayList<>();
    if (rounds.isEmpty()) {
      return figures;
    }
    for (String priority : rounds.get(0).waits().keySet()) {
      figures.add(perRound("wait to start: " + priority, "s", rounds,
          round -> round.waits().getOrDefault(priority, Double.NaN), SERVER_SIDE + "; " + expectation(priority)));
    }
    figures.add(perRoundCount("normal jobs queued ahead of the probes", "jobs", rounds, PriorityRound::queuedAhead,
        "backlog jobs not started when the first probe was created (startedAt)"));
    figures.add(perRound("start rate after the probes", "jobs/s", rounds, PriorityRound::startRate,
        "jobs started from the first probe's creation to the round's last start, per second"));
    figures.add(perRound("queued ahead / start rate", "s", rounds, PriorityRound::queuedAheadOverStartRate,
        "what the normal probe's wait should be"));
    figures.add(perRound("backlog drain after the probes", "s", rounds, PriorityRound::drainSeconds,
        "first probe's createdAt -> the end of the round's last job"));
    figures.add(perRound("queueing the backlog (setup)", "s", rounds, PriorityRound::fillSeconds,
        "as fast as the gateway takes them, topped up while generation starts them; not a measurement"));
    figures.add(perRoundCount("backlog jobs accepted", "jobs", rounds, PriorityRound::backlogJobs,
        "every normal job of the round, topping-up included"));
    return figures;
  }

  private static String expectation(String priority) {
    return switch (priority) {
      case "high" -> "expected: about one provider latency or less";
      case "normal" -> "expected: about the jobs queued ahead / the start rate";
      default -> "expected: about the normal probe's wait, behind every older normal job until it has aged two steps";
    };
  }

  /** A figure with the value of each round ({@code round 1}, ...) and their median. */
  private static Figure perRound(String name, String unit, List<PriorityRound> rounds,
      ToDoubleFunction<PriorityRound> value, String note) {
    return perRoundOf(name, unit, rounds, round -> value.applyAsDouble(round), note);
  }

  /** {@link #perRound} of a count: whole numbers per round, the median whole when it is. */
  private static Figure perRoundCount(String name, String unit, List<PriorityRound> rounds,
      ToLongFunction<PriorityRound> value, String note) {
    return perRoundOf(name, unit, rounds, round -> value.applyAsLong(round), note);
  }

  private static Figure perRoundOf(String name, String unit, List<PriorityRound> rounds,
      Function<PriorityRound, Number> value, String note) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<Double> measured = new ArrayList<>();
    boolean counts = true;
    for (int i = 0; i < rounds.size(); i++) {
      Number roundValue = value.apply(rounds.get(i));
      counts &= roundValue instanceof Long;
      measured.add(roundValue.doubleValue());
      values.put(round(i), roundValue);
    }
    double median = Numbers.median(measured);
    values.put(MEDIAN, counts && median == Math.rint(median) ? (Object) Math.round(median) : (Object) median);
    return new Figure(name, unit, values, note);
  }

  private static String round(int index) {
    return "round " + (index + 1);
  }
}
