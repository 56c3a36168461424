package dev.imagejobs.gateway.security;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Supplies {@link Tenant} and {@link TokenExpiry} parameters of controller methods from the
 * verified token: the tenant claim (already checked by {@link TenantClaimValidator}) and the expiry
 * (required by {@link TokenVerification}); the single place that knows where tenants come from.
 */
final class TokenArgumentResolver implements HandlerMethodArgumentResolver {
  private final String claim;

  TokenArgumentResolver(String claim) {
    this.claim = claim;
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return Tenant.class.equals(parameter.getParameterType()) || TokenExpiry.class.equals(parameter.getParameterType());
  }

  @Override
  public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context, ServerWebExchange exchange) {
    Mono<Jwt> token = exchange.getPrincipal().ofType(JwtAuthenticationToken.class).map(JwtAuthenticationToken::getToken);
    Mono<Object> argument = Tenant.class.equals(parameter.getParameterType())
        ? token.map(jwt -> jwt.getClaims().get(claim)).ofType(String.class).map(Tenant::new)
        : token.filter(jwt -> jwt.getExpiresAt() != null)
            .map(jwt -> new TokenExpiry(jwt.getExpiresAt().plus(TokenVerification.CLOCK_SKEW)));
    return argument.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED, "No token")));
  }
}
