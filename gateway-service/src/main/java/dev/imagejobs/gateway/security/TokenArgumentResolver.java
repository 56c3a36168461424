package dev.imagejobs.gateway.security;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Supplies {@link Tenant} parameters of controller methods from the verified token's tenant claim
 * (already checked by {@link TenantClaimValidator}); the single place that knows where tenants
 * come from.
 */
final class TenantArgumentResolver implements HandlerMethodArgumentResolver {
  private final String claim;

  TenantArgumentResolver(String claim) {
    this.claim = claim;
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return Tenant.class.equals(parameter.getParameterType());
  }

  @Override
  public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context, ServerWebExchange exchange) {
    return exchange.getPrincipal()
        .ofType(JwtAuthenticationToken.class)
        .map(token -> token.getToken().getClaims().get(claim))
        .ofType(String.class)
        .<Object>map(Tenant::new)
        .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED, "No tenant")));
  }
}
