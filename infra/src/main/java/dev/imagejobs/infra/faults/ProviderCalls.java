package dev.imagejobs.infra.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider's calls, from the local provider's call log: how many, and why any (job, run,
 * attempt) was called more than once.
 *
 * @param calls calls started
 * @param repeatedAfterInterruption calls of an attempt whose earlier call a killed instance had not
 *     finished: its answer died with the process, so the next owner of the job had to call again
 * @param repeatedAfterAnswer calls of an attempt a killed instance had already had answered, but not
 *     yet staged: the instance died in the moment between the provider's answer and the image's
 *     staging, so the image was paid twice
 * @param unexplained calls of an attempt called before by an instance that was not killed: none may exist
 */
public record ProviderCalls(long calls, long repeatedAfterInterruption, long repeatedAfterAnswer, long unexplained) {

  /** One line of the log. */
  private record Line(boolean start, long pid, String attempt, boolean ok) {}

  static ProviderCalls read(Path log, Collection<Long> killedPids) {
    List<String> lines;
    try {
      lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the provider's call log " + log, e);
    }
    Map<String, List<Line>> byAttempt = new LinkedHashMap<>();
    for (String text : lines) {
      String[] fields = text.split(" ");
      if (fields.length < 5) {
        continue;
      }
      Line line = new Line(fields[0].equals("start"), Long.parseLong(fields[1]),
          fields[2] + " " + fields[3] + " " + fields[4], fields.length > 5 && fields[5].equals("ok"));
      byAttempt.computeIfAbsent(line.attempt(), key -> new ArrayList<>()).add(line);
    }
    Set<Long> killed = new HashSet<>(killedPids);
    long calls = 0;
    long interrupted = 0;
    long answered = 0;
    long unexplained = 0;
    for (List<Line> attempt : byAttempt.values()) {
      List<Line> starts = attempt.stream().filter(Line::start).toList();
      calls += starts.size();
      // Every call but the last one of an attempt was followed by another call of it.
      for (Line earlier : starts.subList(0, Math.max(0, starts.size() - 1))) {
        boolean answeredOk = attempt.stream().anyMatch(line -> !line.start() && line.pid() == earlier.pid() && line.ok());
        boolean ended = attempt.stream().anyMatch(line -> !line.start() && line.pid() == earlier.pid());
        if (!killed.contains(earlier.pid())) {
          unexplained++;
        } else if (answeredOk) {
          answered++;
        } else if (!ended) {
          interrupted++;
        } else {
          unexplained++;
        }
      }
    }
    return new ProviderCalls(calls, interrupted, answered, unexplained);
  }
}
