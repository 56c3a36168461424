package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.ErrorClass;
import java.time.Duration;
import java.util.Optional;

/**
 * Why a provider attempt, or one variant's call within it, failed, as {@code GenerationAttemptFailed}
 * and {@code JobFailed} report it.
 *
 * @param errorClass the class that decides whether to try again
 * @param code the provider's status or reason, or the service's own code; may be null
 * @param message meant for people
 * @param retryable whether another attempt may succeed
 * @param retryAfter the wait the provider asked for before the next attempt, when it named one
 */
record GenerationFailure(
    ErrorClass errorClass, String code, String message, boolean retryable, Optional<Duration> retryAfter) {

  /** The failure in one line, as lists of failures show it: {@code TEMPORARY 503 The model is overloaded}. */
  String describe() {
    return errorClass + (code == null ? "" : " " + code) + " " + message;
  }
}
