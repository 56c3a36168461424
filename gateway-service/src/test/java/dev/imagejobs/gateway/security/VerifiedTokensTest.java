package dev.imagejobs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.messaging.testing.MovingClock;
import dev.imagejobs.tokens.DevTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/** Accepted tokens are remembered by their exact text, and still refused once expired. */
class VerifiedTokensTest {
  private static final String SECRET = "verified-tokens-test-hs256-secret-0123456789";
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  private final MovingClock clock = new MovingClock(NOW);
  private final AtomicInteger verifications = new AtomicInteger();

  @Test
  void givenTheSameTokenTwiceThenItsSignatureIsVerifiedOnce() {
    VerifiedTokens tokens = tokens(Duration.ofMinutes(5), 10);
    String token = mint("studio-1", Duration.ofHours(1));

    Jwt first = tokens.decode(token).block();
    Jwt second = tokens.decode(token).block();

    assertThat(second).isSameAs(first);
    assertThat(second.getClaimAsString("tenant")).isEqualTo("studio-1");
    assertThat(verifications).hasValue(1);
  }

  @Test
  void givenARememberedTokenWithAnotherSignatureThenItIsVerifiedAndRefused() {
    VerifiedTokens tokens = tokens(Duration.ofMinutes(5), 10);
    String token = mint("studio-1", Duration.ofHours(1));
    tokens.decode(token).block();
    String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");

    assertThatThrownBy(() -> tokens.decode(forged).block()).isInstanceOf(JwtException.class);
    assertThat(verifications).hasValue(2);
  }

  @Test
  void givenARememberedTokenThatExpiredThenItIsRefused() {
    VerifiedTokens tokens = tokens(Duration.ofHours(2), 10);
    String token = mint("studio-1", Duration.ofMinutes(10));
    tokens.decode(token).block();

    clock.advance(Duration.ofMinutes(10).plus(TokenVerification.CLOCK_SKEW).plusSeconds(1));

    assertThatThrownBy(() -> tokens.decode(token).block()).isInstanceOf(JwtException.class)
        .hasMessageContaining("expired");
    assertThat(tokens.size()).isZero();
  }

  @Test
  void givenATokenRememberedForItsMaximumAgeThenItIsVerifiedAgain() {
    VerifiedTokens tokens = tokens(Duration.ofMinutes(5), 10);
    String token = mint("studio-1", Duration.ofHours(1));
    tokens.decode(token).block();

    clock.advance(Duration.ofMinutes(5));
    tokens.decode(token).block();
    tokens.decode(token).block();

    assertThat(verifications).hasValue(2);
  }

  @Test
  void givenMoreTokensThanItsBoundThenItNeverHoldsMore() {
    VerifiedTokens tokens = tokens(Duration.ofMinutes(5), 3);

    for (int i = 0; i < 10; i++) {
      tokens.decode(mint("studio-" + i, Duration.ofHours(1))).block();
      assertThat(tokens.size()).isBetween(1, 3);
    }
    assertThat(verifications).hasValue(10);
  }

  @Test
  void givenARefusedTokenThenItIsNotRemembered() {
    VerifiedTokens tokens = tokens(Duration.ofMinutes(5), 10);
    String stranger = DevTokens.mint("another-secret-of-at-least-32-bytes-000", "tenant", "t", Duration.ofHours(1),
        NOW);

    assertThatThrownBy(() -> tokens.decode(stranger).block()).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> tokens.decode(stranger).block()).isInstanceOf(JwtException.class);
    assertThat(tokens.size()).isZero();
    assertThat(verifications).hasValue(2);
  }

  private VerifiedTokens tokens(Duration maxAge, int maxEntries) {
    JwtTimestampValidator timestamps = new JwtTimestampValidator(TokenVerification.CLOCK_SKEW);
    timestamps.setClock(clock);
    NimbusReactiveJwtDecoder nimbus = NimbusReactiveJwtDecoder
        .withSecretKey(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
        .macAlgorithm(MacAlgorithm.HS256)
        .build();
    nimbus.setJwtValidator(timestamps);
    ReactiveJwtDecoder counting = token -> Mono.defer(() -> {
      verifications.incrementAndGet();
      return nimbus.decode(token);
    });
    return new VerifiedTokens(counting, timestamps, maxAge, maxEntries, clock);
  }

  private static String mint(String tenant, Duration ttl) {
    return DevTokens.mint(SECRET, "tenant", tenant, ttl, NOW);
  }
}
