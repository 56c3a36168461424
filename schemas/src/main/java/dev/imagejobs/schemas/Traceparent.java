package dev.imagejobs.schemas;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** W3C Trace Context {@code traceparent} values: version 00, sampled. */
public final class Traceparent {
  private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private Traceparent() {}

  /** A new trace. */
  public static String newRoot() {
    return format(randomHex(16), randomHex(8));
  }

  /** {@code traceparent} when it is valid (the span that starts a job's events), else a new trace. */
  public static String orNewRoot(String traceparent) {
    return traceId(traceparent).isPresent() ? traceparent : newRoot();
  }

  /** A child span in the trace of {@code parent}, or a new trace when the parent is absent or invalid. */
  public static String childOf(String parent) {
    return traceId(parent).map(trace -> format(trace, randomHex(8))).orElseGet(Traceparent::newRoot);
  }

  /** The trace id of a valid {@code traceparent}. */
  public static Optional<String> traceId(String traceparent) {
    if (traceparent == null) {
      return Optional.empty();
    }
    var matcher = FORMAT.matcher(traceparent);
    if (!matcher.matches() || matcher.group(1).equals(ZERO_TRACE) || matcher.group(2).equals(ZERO_SPAN)) {
      return Optional.empty();
    }
    return Optional.of(matcher.group(1));
  }

  private static String format(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HEX.formatHex(random);
  }
}
