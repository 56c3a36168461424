package dev.imagejobs.gateway.web;

import java.util.regex.Pattern;

/** The one shape of every id the API accepts, in bodies, paths, query parameters and token claims. */
public final class Ids {
  public static final String PATTERN = "[A-Za-z0-9_-]{1,64}";
  public static final String MESSAGE = "must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'";
  private static final Pattern COMPILED = Pattern.compile(PATTERN);

  private Ids() {}

  public static boolean isValid(String id) {
    return id != null && COMPILED.matcher(id).matches();
  }
}
