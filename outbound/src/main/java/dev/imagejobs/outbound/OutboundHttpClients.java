package dev.imagejobs.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.util.Timeout;

/**
 * The one way the services make an HTTP client for addresses they do not control (artifact
 * downloads, webhooks): its only name resolution is the {@link OutboundUrlPolicy}'s checked
 * addresses, so the address connected to is the address checked, and it follows no redirect,
 * keeps no cookies, caches no credentials and retries nothing by itself.
 */
public final class OutboundHttpClients {

  private OutboundHttpClients() {}

  /**
   * A client builder under {@code policy}'s rules; the caller may add to it, then builds and starts it.
   *
   * @param waitForConnection how long a request may wait for a pooled connection; null for the client's default
   */
  public static HttpAsyncClientBuilder builder(OutboundUrlPolicy policy, Duration connectTimeout,
      Duration responseTimeout, Duration waitForConnection, int maxConnections) {
    RequestConfig.Builder requests = RequestConfig.custom().setResponseTimeout(timeout(responseTimeout));
    if (waitForConnection != null) {
      requests.setConnectionRequestTimeout(timeout(waitForConnection));
    }
    return HttpAsyncClients.custom()
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
            // The client's only resolver: every address it connects to has passed the policy.
            .setDnsResolver(new PolicyResolver(policy))
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(timeout(connectTimeout))
                .setSocketTimeout(timeout(responseTimeout))
                .build())
            .setMaxConnTotal(maxConnections)
            .setMaxConnPerRoute(maxConnections)
            .build())
        .setDefaultRequestConfig(requests.build())
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableAuthCaching()
        .disableAutomaticRetries();
  }

  /** The client's callback that completes {@code answer} as the exchange ends. */
  public static <T> FutureCallback<T> completing(CompletableFuture<T> answer) {
    return new FutureCallback<>() {
      @Override
      public void completed(T result) {
        answer.complete(result);
      }

      @Override
      public void failed(Exception failure) {
        answer.completeExceptionally(failure);
      }

      @Override
      public void cancelled() {
        answer.completeExceptionally(new CancellationException("The exchange was cancelled"));
      }
    };
  }

  private static Timeout timeout(Duration duration) {
    return Timeout.of(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The client's name resolution: the policy's checked addresses, and nothing else. */
  private record PolicyResolver(OutboundUrlPolicy policy) implements DnsResolver {
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      return policy.connectableAddresses(host);
    }

    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }
  }
}
