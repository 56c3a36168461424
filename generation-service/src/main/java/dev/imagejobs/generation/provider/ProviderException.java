package dev.imagejobs.generation.provider;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A classified provider failure: what went wrong, in terms that decide whether to try again and
 * when.
 */
public class ProviderException extends RuntimeException {
  private static final Set<ErrorClass> RETRYABLE_BY_DEFAULT =
      EnumSet.of(ErrorClass.TEMPORARY, ErrorClass.RATE_LIMIT, ErrorClass.TIMEOUT);

  private final ErrorClass errorClass;
  private final String code;
  private final boolean retryable;
  private final Duration retryAfter;

  /** A failure retryable as its class usually is ({@link #retryableByDefault}), with no delay given. */
  public ProviderException(ErrorClass errorClass, String code, String message) {
    this(errorClass, code, message, null);
  }

  /** A failure retryable as its class usually is ({@link #retryableByDefault}), with no delay given. */
  public ProviderException(ErrorClass errorClass, String code, String message, Throwable cause) {
    this(errorClass, code, message, cause, retryableByDefault(errorClass), null);
  }

  /**
   * A failure whose retry decision the provider knows better than its class does: a daily quota
   * makes a RATE_LIMIT final, a {@code RetryInfo} or {@code Retry-After} says how long to wait.
   *
   * @param retryAfter how long the provider asked to wait before the next attempt, or null
   * @throws IllegalArgumentException for a retryable CONTENT_BLOCKED (those are never retried) or a
   *     negative delay
   */
  public ProviderException(ErrorClass errorClass, String code, String message, Throwable cause,
      boolean retryable, Duration retryAfter) {
    super(message, cause);
    if (retryable && errorClass == ErrorClass.CONTENT_BLOCKED) {
      throw new IllegalArgumentException("CONTENT_BLOCKED failures are never retryable");
    }
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
    }
    this.errorClass = errorClass;
    this.code = code;
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** Whether failures of this class are worth another attempt unless the provider says otherwise. */
  public static boolean retryableByDefault(ErrorClass errorClass) {
    return RETRYABLE_BY_DEFAULT.contains(errorClass);
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  /** The provider's status or reason, e.g. {@code 503} or {@code RESOURCE_EXHAUSTED}; may be null. */
  public String code() {
    return code;
  }

  /** Whether another attempt may succeed; false for a RATE_LIMIT caused by an exhausted daily quota. */
  public boolean retryable() {
    return retryable;
  }

  /** The wait the provider asked for before the next attempt, when it named one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
