package dev.imagejobs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.tokens.DevTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

class DevTokensTest {
  private static final String SECRET = "a-development-secret-of-at-least-32-bytes";

  @Test
  void givenSecretAndTenantThenTheTokenIsAnHs256JwtCarryingTheTenantUntilItsExpiry() {
    Instant issuedAt = Instant.now().minusSeconds(5);

    Jwt jwt = decoder(SECRET).decode(DevTokens.mint(SECRET, "tenant", "studio-7", Duration.ofHours(2), issuedAt));

    assertThat(jwt.getHeaders()).containsEntry("alg", "HS256").containsEntry("typ", "JWT");
    assertThat(jwt.getClaimAsString("tenant")).isEqualTo("studio-7");
    assertThat(jwt.getSubject()).isEqualTo("dev-studio-7");
    assertThat(jwt.getClaimAsString("iss")).isEqualTo(DevTokens.ISSUER);
    assertThat(jwt.getIssuedAt()).isEqualTo(Instant.ofEpochSecond(issuedAt.getEpochSecond()));
    assertThat(jwt.getExpiresAt()).isEqualTo(jwt.getIssuedAt().plus(Duration.ofHours(2)));
  }

  @Test
  void givenTheShortFormThenTheDefaultClaimAndTheCurrentTimeAreUsed() {
    String token = DevTokens.mint(DevTokens.LOCAL_SECRET, "local", Duration.ofMinutes(5));

    Jwt jwt = decoder(DevTokens.LOCAL_SECRET).decode(token);

    assertThat(jwt.getClaimAsString(DevTokens.DEFAULT_TENANT_CLAIM)).isEqualTo("local");
    assertThat(jwt.getIssuedAt()).isBetween(Instant.now().minusSeconds(5), Instant.now().plusSeconds(1));
  }

  @Test
  void givenAnotherSecretThenTheSignatureDoesNotVerify() {
    String token = DevTokens.mint(SECRET, "studio-7", Duration.ofHours(1));

    assertThatThrownBy(() -> decoder("another-development-secret-of-32-bytes!!").decode(token))
        .isInstanceOf(JwtException.class);
  }

  @Test
  void givenUnusableArgumentsThenNothingIsMinted() {
    assertThatThrownBy(() -> DevTokens.mint("too-short", "t", Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> DevTokens.mint(SECRET, "a/b", Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
    assertThatThrownBy(() -> DevTokens.mint(SECRET, "t", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DevTokens.mint(SECRET, "bad\"claim", "t", Duration.ofHours(1), Instant.now()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static NimbusJwtDecoder decoder(String secret) {
    return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
        .macAlgorithm(MacAlgorithm.HS256)
        .build();
  }
}
