package dev.imagejobs.infra.benchmark;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A JVM's JIT compiler counters at one moment, from {@code jcmd <pid> PerfCounter.print}: how many
 * methods it has compiled and how long the compilations took (wall time of the compiler threads,
 * which on a busy machine includes waiting for a core). Taken at both ends of a window, they say
 * whether the warm-up was long enough: a service still compiling spends its CPU on that.
 *
 * @param compiles methods compiled so far ({@code sun.ci.totalCompiles})
 * @param seconds time spent compiling so far ({@code java.ci.totalTime} in ticks of {@code sun.os.hrt.frequency})
 */
record JitCounters(long compiles, double seconds) {

  /** The counters in {@code PerfCounter.print}'s output; empty when it lacks one of them. */
  static Optional<JitCounters> parse(String perfCounters) {
    Map<String, String> values = new HashMap<>();
    for (String line : perfCounters.split("\\R")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
      }
    }
    OptionalLong compiles = number(values.get("sun.ci.totalCompiles"));
    OptionalLong ticks = number(values.get("java.ci.totalTime"));
    OptionalLong frequency = number(values.get("sun.os.hrt.frequency"));
    if (compiles.isEmpty() || ticks.isEmpty() || frequency.isEmpty() || frequency.getAsLong() <= 0) {
      return Optional.empty();
    }
    return Optional.of(new JitCounters(compiles.getAsLong(), (double) ticks.getAsLong() / frequency.getAsLong()));
  }

  /** What happened between {@code earlier} and these counters. */
  JitCounters since(JitCounters earlier) {
    return new JitCounters(compiles - earlier.compiles, seconds - earlier.seconds);
  }

  private static OptionalLong number(String text) {
    if (text == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
