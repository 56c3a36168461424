package dev.imagejobs.gateway.testing;

import dev.imagejobs.tokens.DevTokens;
import java.time.Duration;

/** Bearer tokens for tests, signed with the secret the test gateway verifies with. */
public final class Tokens {
  /** The HS256 secret of the test gateway ({@code IMAGEJOBS_JWT_SECRET}). */
  public static final String SECRET = "gateway-integration-tests-hs256-secret-0123456789";

  private Tokens() {}

  /** A valid token of {@code tenant}. */
  public static String of(String tenant) {
    return DevTokens.mint(SECRET, tenant, Duration.ofHours(1));
  }

  /** The {@code Authorization} header value for {@code tenant}. */
  public static String bearer(String tenant) {
    return "Bearer " + of(tenant);
  }
}
