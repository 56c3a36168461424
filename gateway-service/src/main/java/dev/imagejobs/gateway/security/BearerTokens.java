package dev.imagejobs.gateway.security;

import org.springframework.http.HttpMethod;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds the bearer token of a request: the {@code Authorization} header everywhere, and also the
 * {@code access_token} query parameter on the event-stream routes only, because a browser's
 * {@code EventSource} cannot send headers. Anywhere else a token in the URL is ignored, so it
 * never becomes a habit that leaks tokens into logs and histories.
 */
final class BearerTokens implements ServerAuthenticationConverter {
  private final ServerBearerTokenAuthenticationConverter headerOnly = new ServerBearerTokenAuthenticationConverter();
  private final ServerBearerTokenAuthenticationConverter headerOrQuery = new ServerBearerTokenAuthenticationConverter();
  private final ServerWebExchangeMatcher eventStreams;

  BearerTokens(String... eventStreamPaths) {
    headerOrQuery.setAllowUriQueryParameter(true);
    eventStreams = ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, eventStreamPaths);
  }

  @Override
  public Mono<Authentication> convert(ServerWebExchange exchange) {
    return eventStreams.matches(exchange)
        .flatMap(match -> match.isMatch() ? headerOrQuery.convert(exchange) : headerOnly.convert(exchange));
  }
}
