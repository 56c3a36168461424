package dev.imagejobs.infra.benchmark;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A latency histogram many threads record into (HdrHistogram, microsecond resolution, 3 significant
 * digits). Negative durations are counted apart, never recorded: on one machine clock they mean a
 * measurement error, not a fast answer.
 */
final class LatencyRecorder {

  private final Histogram micros = new ConcurrentHistogram(3);
  private final LongAdder negative = new LongAdder();

  void recordNanos(long nanos) {
    if (nanos < 0) {
      negative.increment();
      return;
    }
    micros.recordValue(TimeUnit.NANOSECONDS.toMicros(nanos));
  }

  void recordMicros(long value) {
    if (value < 0) {
      negative.increment();
      return;
    }
    micros.recordValue(value);
  }

  long negativeCount() {
    return negative.sum();
  }

  LatencySummary summary() {
    return LatencySummary.ofMicros(micros.copy());
  }
}
