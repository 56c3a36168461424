package dev.imagejobs.gateway.readmodel;

/**
 * Makes event strings storable: PostgreSQL text and jsonb reject the NUL character, and one such
 * value from another service must not block the projection forever.
 */
final class Text {
  private static final char NUL = '\u0000';
  private static final char REPLACEMENT = '\uFFFD';

  private Text() {}

  static String clean(String value) {
    return value == null || value.indexOf(NUL) < 0 ? value : value.replace(NUL, REPLACEMENT);
  }
}
