package dev.imagejobs.infra.benchmark;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds, in milliseconds.
 *
 * @param count recorded values
 * @param p50 median, ms
 * @param p95 95th percentile, ms
 * @param p99 99th percentile, ms
 * @param max largest value, ms
 */
record LatencySummary(long count, double p50, double p95, double p99, double max) {

  static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);

  /** Summarises {@code micros}, a histogram of microseconds (HdrHistogram's percentiles: 3 significant digits). */
  static LatencySummary ofMicros(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(micros.getTotalCount(),
        millis(micros.getValueAtPercentile(50)),
        millis(micros.getValueAtPercentile(95)),
        millis(micros.getValueAtPercentile(99)),
        millis(micros.getMaxValue()));
  }

  String format() {
    return count == 0 ? "none"
        : String.format(Locale.ROOT, "p50 %s  p95 %s  p99 %s  max %s ms (%d)", Numbers.format(p50), Numbers.format(p95),
            Numbers.format(p99), Numbers.format(max), count);
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }
}
