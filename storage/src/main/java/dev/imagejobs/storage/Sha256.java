package dev.imagejobs.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digest that identifies stored bytes everywhere (metadata, events, ETags): lower-case hex. */
public final class Sha256 {
  private Sha256() {}

  /** Lower-case hex SHA-256 of {@code content}. */
  public static String hex(byte[] content) {
    return HexFormat.of().formatHex(newDigest().digest(content));
  }

  /** A fresh SHA-256 digest, for bytes read in parts; {@link #hex(MessageDigest)} finishes it. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform provides SHA-256", e);
    }
  }

  /** Lower-case hex of what {@code digest} has been fed so far; resets it. */
  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
