package dev.imagejobs.outbound;

import java.time.Duration;
import java.util.Objects;

/**
 * What came of one webhook request, whatever happened: the delivery service records it as the
 * attempt's outcome and shows it to the endpoint's owner, so it carries no exception class names and
 * no part of the URL that may hold credentials.
 *
 * @param status the HTTP status answered, or 0 when no HTTP response was received
 * @param latency from the call to the outcome, the URL check included
 * @param error null when an HTTP response was received (whatever its status); otherwise a short
 *     reason such as "timed out after 10 s" or "connection refused"
 * @param bodyExcerpt the start of the response body (at most {@value #MAX_EXCERPT_CHARS} characters,
 *     decoded as UTF-8, malformed bytes replaced); empty without a body, null without a response
 */
public record WebhookResponse(int status, Duration latency, String error, String bodyExcerpt) {
  /** The longest {@link #bodyExcerpt} kept. */
  public static final int MAX_EXCERPT_CHARS = 512;

  public WebhookResponse {
    Objects.requireNonNull(latency, "latency");
  }

  /** Whether the receiver accepted the webhook: a 2xx status. */
  public boolean delivered() {
    return status >= 200 && status <= 299;
  }
}
