package dev.imagejobs.outbound;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Webhook signing secrets in the form of the Standard Webhooks specification
 * (https://www.standardwebhooks.com): {@code whsec_} followed by the standard base64 of 24 to 64
 * random bytes. Receivers paste the secret into their verification library as given, so the form is
 * the specification's, not one of ours; messages never repeat a secret, since they end up in logs.
 */
public final class WebhookSecret {
  /** The prefix the specification puts before the base64 key. */
  public static final String PREFIX = "whsec_";

  private static final int GENERATED_BYTES = 32;
  private static final int MIN_BYTES = 24;
  private static final int MAX_BYTES = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecret() {
  }

  /** A new secret: {@code whsec_} and the standard base64 of 32 random bytes. */
  public static String generate() {
    byte[] key = new byte[GENERATED_BYTES];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /**
   * The HMAC key of {@code secret}: the base64-decoded part after an optional {@code whsec_} prefix.
   *
   * @throws IllegalArgumentException when the secret is missing, not base64, or not 24 to 64 bytes long
   */
  public static byte[] key(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("A webhook secret is required: \"" + PREFIX + "\" and base64");
    }
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "A webhook secret must be \"" + PREFIX + "\" followed by standard base64; this one is not base64");
    }
    if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
      throw new IllegalArgumentException("A webhook secret must hold " + MIN_BYTES + " to " + MAX_BYTES
          + " bytes of key (the Standard Webhooks range); this one holds " + key.length);
    }
    return key;
  }
}
