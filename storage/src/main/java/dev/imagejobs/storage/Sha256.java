package dev.imagejobs.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digest that identifies stored bytes everywhere (metadata, events, ETags): lower-case hex. */
public final class Sha256 {
  private Sha256() {}

  /** Lower-case hex SHA-256 of {@code content}. */
  public static String hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform provides SHA-256", e);
    }
  }
}
