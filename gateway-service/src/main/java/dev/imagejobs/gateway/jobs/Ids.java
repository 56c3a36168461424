package dev.imagejobs.gateway.jobs;

import java.util.regex.Pattern;

/** The one shape of every id the API accepts, in bodies, paths and headers. */
final class Ids {
  static final String PATTERN = "[A-Za-z0-9_-]{1,64}";
  static final String MESSAGE = "must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'";
  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private Ids() {}

  static boolean isValid(String id) {
    return id != null && COMPILED.matcher(id).matches();
  }
}
