package dev.imagejobs.tokens;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 development tokens the gateway accepts when it verifies with a shared secret, so a
 * local launcher can print a ready-to-use token. Plain JDK code without Spring, callable from any
 * module. Never use {@link #LOCAL_SECRET} outside a local stack.
 */
public final class DevTokens {

  /**
   * The documented development secret, used by a gateway only when {@code IMAGEJOBS_JWT_SECRET} is
   * unset and {@code IMAGEJOBS_JWT_ALLOW_DEV_SECRET=true} (or the {@code local} profile) allows it.
   */
  public static final String LOCAL_SECRET = "image-jobs-local-development-secret-not-for-production";

  /** The claim that carries the tenant unless {@code IMAGEJOBS_JWT_TENANT_CLAIM} says otherwise. */
  public static final String DEFAULT_TENANT_CLAIM = "tenant";

  /** The claim that lists roles unless {@code IMAGEJOBS_JWT_ROLES_CLAIM} says otherwise. */
  public static final String DEFAULT_ROLES_CLAIM = "roles";

  /** The role that may read the actuator endpoints unless {@code IMAGEJOBS_JWT_OPERATOR_ROLE} says otherwise. */
  public static final String OPERATOR_ROLE = "operator";

  /** The issuer of development tokens. */
  public static final String ISSUER = "image-jobs-dev";

  /** HS256 keys shorter than the hash output are refused by JOSE libraries (RFC 7518, 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private DevTokens() {}

  /**
   * A token for {@code tenant} in the default {@code tenant} claim, valid for {@code ttl} from now.
   *
   * @param secret the gateway's HMAC secret, at least 32 bytes in UTF-8
   */
  public static String mint(String secret, String tenant, Duration ttl) {
    return mint(secret, DEFAULT_TENANT_CLAIM, tenant, ttl, Instant.now());
  }

  /** A token carrying {@code tenant} in {@code tenantClaim}, issued at {@code issuedAt}. */
  public static String mint(String secret, String tenantClaim, String tenant, Duration ttl, Instant issuedAt) {
    return mint(secret, tenantClaim, tenant, ttl, issuedAt, "");
  }

  /**
   * A token of {@code tenant} that also holds the {@link #OPERATOR_ROLE} in the default
   * {@link #DEFAULT_ROLES_CLAIM}: it may read the gateway's actuator endpoints (metrics, info).
   */
  public static String mintOperator(String secret, String tenant, Duration ttl) {
    return mint(secret, DEFAULT_TENANT_CLAIM, tenant, ttl, Instant.now(),
        ",\"" + DEFAULT_ROLES_CLAIM + "\":[\"" + OPERATOR_ROLE + "\"]");
  }

  private static String mint(
      String secret, String tenantClaim, String tenant, Duration ttl, Instant issuedAt, String moreClaims) {
    if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("The secret must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("The tenant must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'");
    }
    if (tenantClaim == null || !CLAIM_NAME.matcher(tenantClaim).matches()) {
      throw new IllegalArgumentException("Unusable tenant claim name: " + tenantClaim);
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("The time to live must be positive");
    }
    long iat = issuedAt.getEpochSecond();
    String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"dev-" + tenant + "\",\"" + tenantClaim + "\":\"" + tenant
        + "\",\"iat\":" + iat + ",\"exp\":" + (iat + ttl.toSeconds()) + moreClaims + "}";
    String signingInput = encode(header) + "." + encode(claims);
    return signingInput + "." + BASE64URL.encodeToString(hmacSha256(secret, signingInput));
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmacSha256(String secret, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
