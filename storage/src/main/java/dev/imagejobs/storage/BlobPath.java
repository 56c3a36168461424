package dev.imagejobs.storage;

import java.util.List;

/**
 * A validated relative object path: '/'-separated segments of letters, digits, '.', '_' and '-',
 * none of them '.' or '..', so no id can escape its folder (tested by {@code BlobPathTest}).
 */
public record BlobPath(String value) {
  private static final int MAX_SEGMENT_LENGTH = 200;

  public BlobPath {
    if (value == null || value.isEmpty() || value.length() > 1024) {
      throw new IllegalArgumentException("Object path must have 1 to 1024 characters");
    }
    // Checked character by character: paths are built for every job, several times over.
    int start = 0;
    for (int end = value.indexOf('/'); ; end = value.indexOf('/', start)) {
      int stop = end < 0 ? value.length() : end;
      if (!isSafeSegment(value, start, stop)) {
        throw new IllegalArgumentException("Unsafe path segment: " + value.substring(start, stop));
      }
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
  }

  public static BlobPath of(String first, String... more) {
    StringBuilder path = new StringBuilder(requireSegment(first));
    for (String segment : more) {
      path.append('/').append(requireSegment(segment));
    }
    return new BlobPath(path.toString());
  }

  /** Checks that {@code segment} is safe as one path segment and returns it. */
  public static String requireSegment(String segment) {
    if (segment == null || !isSafeSegment(segment, 0, segment.length())) {
      throw new IllegalArgumentException("Unsafe path segment: " + segment);
    }
    return segment;
  }

  /** Whether {@code text[start, end)} is 1 to 200 of [A-Za-z0-9._-] and neither '.' nor '..'. */
  private static boolean isSafeSegment(String text, int start, int end) {
    int length = end - start;
    if (length < 1 || length > MAX_SEGMENT_LENGTH) {
      return false;
    }
    boolean onlyDots = true;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!safe) {
        return false;
      }
      onlyDots &= c == '.';
    }
    return !(onlyDots && length <= 2);
  }

  public List<String> segments() {
    return List.of(value.split("/"));
  }

  @Override
  public String toString() {
    return value;
  }
}
