package dev.imagejobs.outbound;

import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpException;

/**
 * Words a failed request for the endpoint's owner: short, without exception class names, and
 * without the exceptions' own messages, which name the URL (its query may hold a token) and the
 * client's internals.
 */
final class FailureReason {
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration deadline;

  FailureReason(Duration connectTimeout, Duration responseTimeout, Duration deadline) {
    this.connectTimeout = connectTimeout;
    this.responseTimeout = responseTimeout;
    this.deadline = deadline;
  }

  /** The reason for {@code failure}, the first cause along its chain that is known. */
  String of(Throwable failure) {
    for (Throwable link = failure; link != null; link = link.getCause()) {
      String reason = known(link);
      if (reason != null) {
        return reason;
      }
    }
    return "the request failed";
  }

  private String known(Throwable link) {
    if (link instanceof OutboundUrlPolicy.RefusedAddressException refused) {
      return refused(refused.withoutAddress());
    }
    if (link instanceof ConnectTimeoutException) {
      return "connecting timed out after " + text(connectTimeout);
    }
    if (link instanceof SocketTimeoutException) {
      return "timed out after " + text(responseTimeout);
    }
    if (link instanceof TimeoutException) {
      return "timed out after " + text(deadline);
    }
    if (link instanceof UnknownHostException) {
      return "the host cannot be resolved";
    }
    if (link instanceof ConnectException) {
      String message = link.getMessage() == null ? "" : link.getMessage().toLowerCase(Locale.ROOT);
      return message.contains("refused") ? "connection refused" : "could not connect";
    }
    if (link instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (link instanceof SSLHandshakeException) {
      return "the TLS handshake failed";
    }
    if (link instanceof SSLException) {
      return "the TLS connection failed";
    }
    if (link instanceof ConnectionClosedException) {
      return "the connection was closed before a complete response";
    }
    if (link instanceof SocketException) {
      return "the connection failed";
    }
    if (link instanceof HttpException) {
      return "the response was not valid HTTP";
    }
    if (link instanceof CancellationException) {
      return "the request was cancelled";
    }
    return null;
  }

  /** "10 s", "1.5 s", "250 ms". */
  static String text(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + " ms";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }

  /**
   * A message of the {@link OutboundUrlPolicy} as a reason: the policy's sentence ("The webhook URL
   * host ... resolves to ..., an internal address"), starting in lower case like the other reasons.
   */
  static String refused(String message) {
    if (message == null || message.isEmpty()) {
      return "the URL was refused";
    }
    return Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }
}
