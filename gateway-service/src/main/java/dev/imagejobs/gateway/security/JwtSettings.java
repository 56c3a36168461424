package dev.imagejobs.gateway.security;

import dev.imagejobs.tokens.DevTokens;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How bearer tokens are verified: exactly one of an HS256 shared secret or a JWKS URL. Without
 * either, start-up fails, unless {@code allowDevSecret} is on, in which case the documented
 * {@link DevTokens#LOCAL_SECRET} is used (local development only); that published secret is
 * refused as {@code secret} too unless {@code allowDevSecret} is on.
 *
 * @param secret HS256 shared secret, at least 32 bytes ({@code IMAGEJOBS_JWT_SECRET})
 * @param jwksUri JWK Set URL of the identity provider ({@code IMAGEJOBS_JWT_JWKS_URI})
 * @param tenantClaim the claim that names the tenant
 * @param issuer when set, tokens must carry this {@code iss}
 * @param audience when set, tokens must list this in {@code aud}
 * @param allowDevSecret whether the development secret may stand in for a missing one
 * @param devTokenTenant the tenant of the development token logged at start-up when the development secret is used
 * @param rolesClaim the claim that lists the token holder's roles (a list of strings, or one string)
 * @param operatorRole the role, in {@code rolesClaim}, that may read the actuator endpoints other than health
 */
@ConfigurationProperties("imagejobs.jwt")
record JwtSettings(
    String secret,
    String jwksUri,
    @DefaultValue("tenant") String tenantClaim,
    String issuer,
    String audience,
    @DefaultValue("false") boolean allowDevSecret,
    @DefaultValue("local") String devTokenTenant,
    @DefaultValue("roles") String rolesClaim,
    @DefaultValue("operator") String operatorRole) {

  /** Where the verification key comes from. */
  enum KeySource { SECRET, JWKS, DEV_SECRET }

  JwtSettings {
    secret = blankToNull(secret);
    jwksUri = blankToNull(jwksUri);
    tenantClaim = blankToNull(tenantClaim) == null ? DevTokens.DEFAULT_TENANT_CLAIM : tenantClaim.trim();
    issuer = blankToNull(issuer);
    audience = blankToNull(audience);
    devTokenTenant = blankToNull(devTokenTenant) == null ? "local" : devTokenTenant.trim();
    rolesClaim = blankToNull(rolesClaim) == null ? DevTokens.DEFAULT_ROLES_CLAIM : rolesClaim.trim();
    operatorRole = blankToNull(operatorRole) == null ? DevTokens.OPERATOR_ROLE : operatorRole.trim();
    if (secret != null && jwksUri != null) {
      throw new IllegalArgumentException(
          "Both IMAGEJOBS_JWT_SECRET and IMAGEJOBS_JWT_JWKS_URI are set; configure exactly one way to verify tokens");
    }
    if (secret == null && jwksUri == null && !allowDevSecret) {
      throw new IllegalArgumentException("No way to verify bearer tokens is configured: set IMAGEJOBS_JWT_SECRET "
          + "(HS256 shared secret, at least 32 bytes) or IMAGEJOBS_JWT_JWKS_URI (the identity provider's JWK Set URL). "
          + "For local development only, IMAGEJOBS_JWT_ALLOW_DEV_SECRET=true or the 'local' profile uses the "
          + "documented development secret instead");
    }
    if (DevTokens.LOCAL_SECRET.equals(secret) && !allowDevSecret) {
      throw new IllegalArgumentException("IMAGEJOBS_JWT_SECRET is the published development secret, with which anyone "
          + "can mint tokens: set a secret of your own. For local development only, IMAGEJOBS_JWT_ALLOW_DEV_SECRET=true "
          + "or the 'local' profile permits it");
    }
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < DevTokens.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "IMAGEJOBS_JWT_SECRET must be at least " + DevTokens.MIN_SECRET_BYTES + " bytes for HS256");
    }
  }

  KeySource keySource() {
    if (secret != null && !DevTokens.LOCAL_SECRET.equals(secret)) {
      return KeySource.SECRET;
    }
    return jwksUri != null ? KeySource.JWKS : KeySource.DEV_SECRET;
  }

  /** The HMAC secret in use, or {@code null} when tokens are verified against a JWKS. */
  String effectiveSecret() {
    return switch (keySource()) {
      case SECRET -> secret;
      case DEV_SECRET -> DevTokens.LOCAL_SECRET;
      case JWKS -> null;
    };
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
