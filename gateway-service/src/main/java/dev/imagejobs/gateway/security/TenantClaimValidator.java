package dev.imagejobs.gateway.security;

import dev.imagejobs.gateway.web.Ids;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Accepts only tokens whose tenant claim is a string in the shape of an API id, so a token without
 * a usable tenant is refused as a whole (401) instead of reaching a controller.
 */
final class TenantClaimValidator implements OAuth2TokenValidator<Jwt> {
  private final String claim;

  TenantClaimValidator(String claim) {
    this.claim = claim;
  }

  @Override
  public OAuth2TokenValidatorResult validate(Jwt token) {
    if (token.getClaims().get(claim) instanceof String tenant && Ids.isValid(tenant)) {
      return OAuth2TokenValidatorResult.success();
    }
    return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN,
        "The token has no valid '" + claim + "' claim (" + Ids.MESSAGE + ")", null));
  }
}
