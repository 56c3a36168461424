package dev.imagejobs.gateway.security;

import dev.imagejobs.gateway.web.ProblemResponses;
import dev.imagejobs.tokens.DevTokens;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverterAdapter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * Every route needs a valid bearer token except health, the OpenAPI document and the web page's
 * static files; the other actuator endpoints need the operator role in the token as well. Stateless: no session, no CSRF token (nothing authenticates by cookie), no saved
 * requests.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {
  /** The page's files; the page itself asks for a token before it calls the API. */
  static final String[] PUBLIC_GET = {
      "/", "/index.html", "/app.js", "/app.css", "/favicon.svg", "/operator.html", "/operator.js", "/token.js",
      "/actuator/health", "/actuator/health/**",
      "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml"};

  /** Operational endpoints: metrics and build facts are for operators, not tenants. */
  static final String[] OPERATOR_ONLY = {"/actuator", "/actuator/**", "/api/v1/operator/**"};

  /** Routes that also accept the token as {@code access_token} in the query (EventSource). */
  static final String[] EVENT_STREAMS = {
      "/api/v1/images/jobs/*/events", "/api/v1/images/batches/*/events", "/api/v1/images/events"};

  /** The page loads only its own script and style; images of jobs are shown from blob URLs. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; "
      + "script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
      + "base-uri 'self'; form-action 'self'";

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
  private static final Duration DEV_TOKEN_TTL = Duration.ofHours(12);

  @Bean
  SecurityWebFilterChain securityWebFilterChain(
      ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder, ProblemResponses problems, JwtSettings settings) {
    ProblemAuthenticationErrors errors = new ProblemAuthenticationErrors(problems);
    return http
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
        .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
        .logout(ServerHttpSecurity.LogoutSpec::disable)
        .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
        .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
        .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)))
        .authorizeExchange(exchanges -> exchanges
            .pathMatchers(HttpMethod.GET, PUBLIC_GET).permitAll()
            .pathMatchers(OPERATOR_ONLY).hasRole(settings.operatorRole())
            .anyExchange().authenticated())
        .oauth2ResourceServer(server -> server
            .bearerTokenConverter(new BearerTokens(EVENT_STREAMS))
            .jwt(jwt -> jwt.jwtDecoder(jwtDecoder).jwtAuthenticationConverter(roles(settings)))
            .authenticationEntryPoint(errors)
            .accessDeniedHandler(errors))
        .exceptionHandling(handling -> handling.authenticationEntryPoint(errors).accessDeniedHandler(errors))
        .build();
  }

  /** The token's roles claim as {@code ROLE_} authorities, which {@code hasRole} checks. */
  private static ReactiveJwtAuthenticationConverterAdapter roles(JwtSettings settings) {
    JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
    authorities.setAuthoritiesClaimName(settings.rolesClaim());
    authorities.setAuthorityPrefix("ROLE_");
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(authorities);
    return new ReactiveJwtAuthenticationConverterAdapter(converter);
  }

  /**
   * No observations of the filter chain, authentication or authorization: they cost a span and a
   * timer per security filter on every request (a few per cent of the gateway's CPU under load) and
   * say nothing the request's own {@code http.server.requests} observation and its failures do not.
   */
  @Bean
  SecurityObservationSettings securityObservationSettings() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  ReactiveJwtDecoder jwtDecoder(JwtSettings settings) {
    return TokenVerification.decoder(settings);
  }

  @Bean
  WebFluxConfigurer tokenParameters(JwtSettings settings) {
    return new WebFluxConfigurer() {
      @Override
      public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(new TokenArgumentResolver(settings.tenantClaim()));
      }
    };
  }

  /**
   * With the development secret, anyone can mint tokens, so say so loudly, and log a token to try
   * the API with right away.
   */
  @Bean
  ApplicationListener<ApplicationReadyEvent> developmentSecretWarning(JwtSettings settings) {
    return event -> {
      if (settings.keySource() == JwtSettings.KeySource.DEV_SECRET) {
        String token = DevTokens.mint(DevTokens.LOCAL_SECRET, settings.tenantClaim(), settings.devTokenTenant(),
            DEV_TOKEN_TTL, java.time.Instant.now());
        log.warn("Bearer tokens are verified with the public DEVELOPMENT secret; never run like this outside a "
            + "local stack. A token for tenant '{}', valid {}: {}", settings.devTokenTenant(), DEV_TOKEN_TTL, token);
      }
    };
  }
}
