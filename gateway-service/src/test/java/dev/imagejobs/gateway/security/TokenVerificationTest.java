package dev.imagejobs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/** Tokens of an identity provider, verified with the keys of its JWK Set URL (served here by a real HTTP server). */
class TokenVerificationTest {
  private static RSAKey providerKey;
  private static HttpServer jwks;

  @BeforeAll
  static void startIdentityProvider() throws Exception {
    providerKey = new RSAKeyGenerator(2048).keyID("key-1").generate();
    byte[] body = new JWKSet(providerKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
    jwks.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
  }

  @AfterAll
  static void stopIdentityProvider() {
    jwks.stop(0);
  }

  @Test
  void givenTokenSignedWithAKeyOfTheJwkSetThenItIsAcceptedWithItsTenant() throws Exception {
    Jwt jwt = decoder(null, null).decode(token(providerKey, claims().claim("tenant", "studio-7"))).block();

    assertThat(jwt.getClaimAsString("tenant")).isEqualTo("studio-7");
  }

  @Test
  void givenTokenSignedWithAnotherKeyThenItIsRefused() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("key-1").generate();

    assertThatThrownBy(() -> decoder(null, null).decode(token(stranger, claims().claim("tenant", "t"))).block())
        .isInstanceOf(JwtException.class);
  }

  @Test
  void givenTokenWithoutAUsableTenantThenItIsRefused() throws Exception {
    ReactiveJwtDecoder decoder = decoder(null, null);

    assertThatThrownBy(() -> decoder.decode(token(providerKey, claims())).block())
        .isInstanceOf(JwtException.class).hasMessageContaining("'tenant'");
    assertThatThrownBy(() -> decoder.decode(token(providerKey, claims().claim("tenant", "../x"))).block())
        .isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> decoder.decode(token(providerKey, claims().claim("tenant", List.of("a")))).block())
        .isInstanceOf(JwtException.class);
  }

  @Test
  void givenIssuerAndAudienceConfiguredThenTokensMustCarryBoth() throws Exception {
    ReactiveJwtDecoder decoder = decoder("https://idp.example", "image-jobs");

    Jwt jwt = decoder.decode(token(providerKey, claims().claim("tenant", "t1").issuer("https://idp.example")
        .audience(List.of("image-jobs", "other")))).block();
    assertThat(jwt.getClaimAsString("tenant")).isEqualTo("t1");
    assertThatThrownBy(() -> decoder.decode(token(providerKey, claims().claim("tenant", "t1")
        .issuer("https://evil.example").audience("image-jobs"))).block()).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> decoder.decode(token(providerKey, claims().claim("tenant", "t1")
        .issuer("https://idp.example").audience("other"))).block()).isInstanceOf(JwtException.class);
  }

  @Test
  void givenExpiredTokenThenItIsRefused() throws Exception {
    JWTClaimsSet.Builder expired = claims().claim("tenant", "t1")
        .issueTime(Date.from(Instant.now().minus(Duration.ofHours(2))))
        .expirationTime(Date.from(Instant.now().minus(Duration.ofHours(1))));

    assertThatThrownBy(() -> decoder(null, null).decode(token(providerKey, expired)).block())
        .isInstanceOf(JwtException.class).hasMessageContaining("expired");
  }

  @Test
  void givenTokenWithoutExpiryThenItIsRefused() throws Exception {
    JWTClaimsSet.Builder forever = new JWTClaimsSet.Builder().subject("user-1").issueTime(new Date())
        .claim("tenant", "t1");

    assertThatThrownBy(() -> decoder(null, null).decode(token(providerKey, forever)).block())
        .isInstanceOf(JwtException.class).hasMessageContaining("exp is required");
  }

  @Test
  void givenTokenExpiredWithinTheClockSkewThenItIsStillAccepted() throws Exception {
    JWTClaimsSet.Builder justExpired = claims().claim("tenant", "t1")
        .issueTime(Date.from(Instant.now().minus(Duration.ofMinutes(5))))
        .expirationTime(Date.from(Instant.now().minus(TokenVerification.CLOCK_SKEW.dividedBy(2))));

    assertThat(decoder(null, null).decode(token(providerKey, justExpired)).block().getClaimAsString("tenant"))
        .isEqualTo("t1");
  }

  private static ReactiveJwtDecoder decoder(String issuer, String audience) {
    String jwksUri = "http://localhost:" + jwks.getAddress().getPort() + "/jwks";
    return TokenVerification.decoder(new JwtSettings(null, jwksUri, "tenant", issuer, audience, false, null, null, null));
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("user-1")
        .issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))));
  }

  private static String token(RSAKey key, JWTClaimsSet.Builder claims) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
        claims.build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
