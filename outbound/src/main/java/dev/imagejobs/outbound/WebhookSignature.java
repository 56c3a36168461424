package dev.imagejobs.outbound;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures of the Standard Webhooks specification (https://www.standardwebhooks.com), so a
 * receiver can check with any of the specification's libraries that a webhook came from us, unchanged
 * and recently: the signed content is {@code id.timestamp.body}, the signature {@code v1,} and the
 * base64 of its HMAC-SHA256 under the secret's key. The {@code webhook-signature} header may carry
 * several signatures separated by spaces, one per secret, so a receiver keeps accepting deliveries
 * while a secret is rotated.
 */
public final class WebhookSignature {
  /** The version tag of the specification's symmetric signatures. */
  public static final String VERSION = "v1";

  private static final String ALGORITHM = "HmacSHA256";
  private static final String PREFIX = VERSION + ",";

  private WebhookSignature() {
  }

  /**
   * The signature ({@code v1,<base64>}) of one message under one secret.
   *
   * @param timestampSeconds the {@code webhook-timestamp} header: seconds since the epoch
   * @throws IllegalArgumentException when the secret is not a valid webhook secret
   */
  public static String sign(String secret, String messageId, long timestampSeconds, String body) {
    return PREFIX + Base64.getEncoder().encodeToString(mac(WebhookSecret.key(secret), messageId,
        Long.toString(timestampSeconds), body));
  }

  /**
   * The {@code webhook-signature} header: the signature under every secret, joined by single spaces.
   *
   * @param secrets the endpoint's current secrets, newest first; more than one while a secret is rotated
   * @throws IllegalArgumentException when there is no secret or one is not a valid webhook secret
   */
  public static String header(List<String> secrets, String messageId, long timestampSeconds, String body) {
    if (secrets == null || secrets.isEmpty()) {
      throw new IllegalArgumentException("A webhook signature needs at least one secret");
    }
    return secrets.stream().map(secret -> sign(secret, messageId, timestampSeconds, body))
        .collect(Collectors.joining(" "));
  }

  /**
   * Whether a received webhook is authentic: one of the {@code v1} signatures in the header matches
   * (compared in constant time) and the timestamp lies within {@code tolerance} of {@code now}, in
   * either direction. A malformed header or timestamp is simply not authentic.
   *
   * @param timestampHeader the {@code webhook-timestamp} header as received
   * @param signatureHeader the {@code webhook-signature} header as received
   * @param tolerance how far the timestamp may be from {@code now}; the specification suggests 5 minutes
   * @throws IllegalArgumentException when the secret is not a valid webhook secret
   */
  public static boolean verify(String secret, String messageId, String timestampHeader, String body,
      String signatureHeader, Duration tolerance, Instant now) {
    byte[] key = WebhookSecret.key(secret);
    if (messageId == null || timestampHeader == null || body == null || signatureHeader == null) {
      return false;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampHeader);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - (double) timestamp) > tolerance.getSeconds()) {
      return false;
    }
    // The header as received is what the sender signed.
    byte[] expected = Base64.getEncoder().encode(mac(key, messageId, timestampHeader, body));
    boolean matched = false;
    for (String candidate : signatureHeader.split(" ")) {
      if (candidate.startsWith(PREFIX)) {
        byte[] given = candidate.substring(PREFIX.length()).getBytes(StandardCharsets.US_ASCII);
        matched |= MessageDigest.isEqual(expected, given);
      }
    }
    return matched;
  }

  private static byte[] mac(byte[] key, String messageId, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal((messageId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every Java runtime provides " + ALGORITHM, e);
    }
  }
}
