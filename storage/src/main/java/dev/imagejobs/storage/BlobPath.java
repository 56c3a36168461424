package dev.imagejobs.storage;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A validated relative object path: '/'-separated segments of letters, digits, '.', '_' and '-',
 * none of them '.' or '..', so no id can escape its folder (tested by {@code BlobPathTest}).
 */
public record BlobPath(String value) {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  public BlobPath {
    if (value == null || value.isEmpty() || value.length() > 1024) {
      throw new IllegalArgumentException("Object path must have 1 to 1024 characters");
    }
    for (String segment : value.split("/", -1)) {
      requireSegment(segment);
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
    if (segment == null || !SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
      throw new IllegalArgumentException("Unsafe path segment: " + segment);
    }
    return segment;
  }

  public List<String> segments() {
    return List.of(value.split("/"));
  }

  @Override
  public String toString() {
    return value;
  }
}
