package dev.imagejobs.gateway.security;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Builds the token decoder from {@link JwtSettings}: signature (HS256 secret, or RS256/ES256 keys
 * from a JWKS), a required expiry and an optional not-before within {@link #CLOCK_SKEW}, the
 * optional issuer and audience, and a usable tenant claim. Accepted tokens are remembered for a
 * while ({@link VerifiedTokens}).
 */
final class TokenVerification {
  /** How far a token's {@code exp} and {@code nbf} may be off this gateway's clock. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
  /** How long an accepted token is remembered at most ({@link VerifiedTokens}). */
  static final Duration REMEMBERED_FOR = Duration.ofMinutes(5);
  /** How many accepted tokens are remembered at most: about 15 MiB of heap when full. */
  static final int REMEMBERED_TOKENS = 10_000;

  private TokenVerification() {}

  static ReactiveJwtDecoder decoder(JwtSettings settings) {
    NimbusReactiveJwtDecoder decoder = switch (settings.keySource()) {
      case SECRET, DEV_SECRET -> NimbusReactiveJwtDecoder
          .withSecretKey(new SecretKeySpec(settings.effectiveSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
          .macAlgorithm(MacAlgorithm.HS256)
          .build();
      case JWKS -> NimbusReactiveJwtDecoder.withJwkSetUri(settings.jwksUri())
          .jwsAlgorithm(SignatureAlgorithm.RS256)
          .jwsAlgorithm(SignatureAlgorithm.ES256)
          .build();
    };
    // Issuers are compared as text; the default converter would try to parse each one as a URL,
    // throwing and catching an exception on every request whose issuer is not a URL.
    decoder.setClaimSetConverter(MappedJwtClaimSetConverter.withDefaults(
        Map.of(JwtClaimNames.ISS, issuer -> issuer == null ? null : issuer.toString())));
    JwtTimestampValidator timestamps = timestamps();
    decoder.setJwtValidator(validator(settings, timestamps));
    return new VerifiedTokens(decoder, timestamps, REMEMBERED_FOR, REMEMBERED_TOKENS, Clock.systemUTC());
  }

  private static JwtTimestampValidator timestamps() {
    JwtTimestampValidator timestamps = new JwtTimestampValidator(CLOCK_SKEW);
    // A token without exp would be valid forever: refused.
    timestamps.setAllowEmptyExpiryClaim(false);
    return timestamps;
  }

  private static OAuth2TokenValidator<Jwt> validator(JwtSettings settings, JwtTimestampValidator timestamps) {
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
    validators.add(timestamps);
    if (settings.issuer() != null) {
      validators.add(new JwtIssuerValidator(settings.issuer()));
    }
    if (settings.audience() != null) {
      validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
          audience -> audience != null && audience.contains(settings.audience())));
    }
    validators.add(new TenantClaimValidator(settings.tenantClaim()));
    return JwtValidators.createDefaultWithValidators(validators);
  }
}
