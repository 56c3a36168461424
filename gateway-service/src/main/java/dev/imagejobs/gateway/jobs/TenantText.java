package dev.imagejobs.gateway.jobs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a failure message from the services fit to show a tenant. The services write messages for
 * operators, and those may carry what is nobody else's business: a URL with its signature in the
 * query string, a path on a server's disk, a Java exception's class name. The read model and the
 * events keep the message whole for operators; every job view shows it through here.
 */
final class TenantText {
  /** scheme://authority/path?query#fragment: only scheme and host are shown. */
  private static final Pattern URL = Pattern.compile("\\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^/\\s'\"<>?#]*)[^\\s'\"<>]*");
  /** An absolute path of two or more segments, not part of a word or a URL. */
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.:/-])/(?:[\\w.@~+-]+/)+[\\w.@~+-]*");
  /** A qualified Java exception name and the colon after it: {@code java.net.ConnectException: }. */
  private static final Pattern EXCEPTION_NAME =
      Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

  private TenantText() {}

  static String of(String message) {
    if (message == null || message.isEmpty()) {
      return message;
    }
    String text = URL.matcher(message).replaceAll(match -> "file".equalsIgnoreCase(match.group(1))
        ? "(a file)"
        : Matcher.quoteReplacement(match.group(1) + "://" + match.group(2).replaceAll("^[^@]*@", "")));
    text = ABSOLUTE_PATH.matcher(text).replaceAll("(a path)");
    return EXCEPTION_NAME.matcher(text).replaceAll("").strip();
  }
}
