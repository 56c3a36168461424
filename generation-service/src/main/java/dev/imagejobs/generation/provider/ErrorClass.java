package dev.imagejobs.generation.provider;

/** Why a provider call failed, which decides whether it is retried. */
public enum ErrorClass {
  /** Network errors, timeouts, 408, 499, 5xx: retried. */
  TEMPORARY,
  /** The request can never succeed as sent: not retried. */
  PERMANENT,
  /** 429: retried after the provider's delay, unless a daily quota is exhausted. */
  RATE_LIMIT,
  /** Bad or missing credentials: not retried. */
  AUTH_ERROR,
  /** Safety or policy filters blocked the prompt or the image: never retried. */
  CONTENT_BLOCKED,
  /** A deadline passed. */
  TIMEOUT,
  /** Anything not recognised: not retried. */
  UNKNOWN
}
