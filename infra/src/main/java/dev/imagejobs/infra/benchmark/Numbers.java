package dev.imagejobs.infra.benchmark;

import java.util.Collection;
import java.util.Locale;

/** How figures are written: whole numbers as they are, others with as many decimals as their size needs. */
final class Numbers {

  private Numbers() {}

  static String format(Object value) {
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (Double.isNaN(number) || Double.isInfinite(number)) {
        return "n/a";
      }
      double magnitude = Math.abs(number);
      String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
      return String.format(Locale.ROOT, pattern, number);
    }
    return String.valueOf(value);
  }

  /** {@code part / whole}, or NaN when there is no whole. */
  static double ratio(double part, double whole) {
    return whole == 0 ? Double.NaN : part / whole;
  }

  static double percent(double part, double whole) {
    return 100 * ratio(part, whole);
  }

  /** The median of the values that are numbers (the mean of the middle two of an even count), NaN when none is. */
  static double median(Collection<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(value -> !Double.isNaN(value))
        .sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
