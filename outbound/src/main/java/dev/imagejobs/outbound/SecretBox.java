package dev.imagejobs.outbound;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest (webhook signing secrets in the database), so a copy of the database
 * alone does not let anyone sign webhooks: AES-256-GCM under a key from the configuration. A sealed
 * value is one format byte ({@value #FORMAT}), a random 12-byte nonce, then the ciphertext and its
 * 16-byte tag; the format byte is authenticated too and leaves room for another key or algorithm
 * later. Opening fails, rather than returning garbage, when the key is not the one that sealed.
 * Messages never show the key or a plaintext.
 */
public final class SecretBox {
  /** The format byte of values sealed by this class. */
  public static final byte FORMAT = 1;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int OVERHEAD = 1 + NONCE_BYTES + TAG_BITS / 8;
  private static final String KEY_FORM = "the standard base64 of exactly " + KEY_BYTES + " random bytes"
      + " (e.g. from SecretBox.generateKey())";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  /**
   * @param base64Key the standard base64 of exactly 32 bytes
   * @throws IllegalArgumentException when the key is missing or of another form
   */
  public SecretBox(String base64Key) {
    if (base64Key == null || base64Key.isBlank()) {
      throw new IllegalArgumentException("The secret box key is missing: it must be " + KEY_FORM);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64Key.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("The secret box key is not base64: it must be " + KEY_FORM);
    }
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "The secret box key holds " + bytes.length + " bytes: it must be " + KEY_FORM);
    }
    this.key = new SecretKeySpec(bytes, "AES");
    Arrays.fill(bytes, (byte) 0);
  }

  /** A new random key in the form the constructor takes, for set-up scripts and documentation. */
  public static String generateKey() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** {@code plaintext} encrypted under a fresh nonce: sealing the same text twice gives different bytes. */
  public byte[] seal(String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce);
      byte[] ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE_BYTES + ciphertext.length).put(FORMAT).put(nonce).put(ciphertext)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every Java runtime provides " + TRANSFORMATION, e);
    }
  }

  /**
   * The plaintext of a value {@link #seal} made under the same key.
   *
   * @throws IllegalArgumentException when the value is of an unknown format, damaged, or sealed under another key
   */
  public String open(byte[] sealed) {
    if (sealed == null || sealed.length < OVERHEAD || sealed[0] != FORMAT) {
      throw refused();
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES));
      byte[] plaintext = cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
      return new String(plaintext, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw refused();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every Java runtime provides " + TRANSFORMATION, e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(new byte[] {FORMAT});
    return cipher;
  }

  private static IllegalArgumentException refused() {
    return new IllegalArgumentException(
        "The sealed value cannot be opened with the configured key: it is damaged, of an unknown format,"
            + " or was sealed under another key");
  }
}
