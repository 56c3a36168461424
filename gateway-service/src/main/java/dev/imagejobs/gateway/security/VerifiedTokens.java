package dev.imagejobs.gateway.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers tokens the decoder accepted, so a client sending the same token on every request pays
 * for parsing and verifying its signature once, not on every request. Only the exact token text
 * hits (a token with any other character, its signature included, is verified in full), and a hit
 * is checked again with the time-dependent validator (expiry, not-before), so a remembered token is
 * refused from the moment it expires. The other checks depend only on the token's text and fixed
 * settings. An entry is forgotten after {@code maxAge} at the latest, so a key withdrawn from a JWK
 * Set stops verifying tokens within that time. At most {@code maxEntries} tokens are remembered;
 * when full, the table is emptied and refills with the tokens in use.
 */
final class VerifiedTokens implements ReactiveJwtDecoder {
  private final ReactiveJwtDecoder decoder;
  private final OAuth2TokenValidator<Jwt> timeValidator;
  private final Duration maxAge;
  private final int maxEntries;
  private final Clock clock;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

  /**
   * @param decoder parses, verifies and validates a token in full
   * @param timeValidator the part of the decoder's validation that depends on the time
   */
  VerifiedTokens(ReactiveJwtDecoder decoder, OAuth2TokenValidator<Jwt> timeValidator, Duration maxAge, int maxEntries,
      Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    this.decoder = decoder;
    this.timeValidator = timeValidator;
    this.maxAge = maxAge;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  @Override
  public Mono<Jwt> decode(String token) {
    Verified known = verified.get(token);
    if (known != null) {
      if (clock.instant().isBefore(known.forgetAt()) && !timeValidator.validate(known.jwt()).hasErrors()) {
        return Mono.just(known.jwt());
      }
      // Expired or too old: the decoder gives the answer, and the error, a new token would get.
      verified.remove(token, known);
    }
    return decoder.decode(token).doOnNext(jwt -> remember(token, jwt));
  }

  /** Tokens remembered now. */
  int size() {
    return verified.size();
  }

  private void remember(String token, Jwt jwt) {
    if (verified.size() >= maxEntries) {
      verified.clear();
    }
    verified.put(token, new Verified(jwt, clock.instant().plus(maxAge)));
  }

  private record Verified(Jwt jwt, Instant forgetAt) {}
}
