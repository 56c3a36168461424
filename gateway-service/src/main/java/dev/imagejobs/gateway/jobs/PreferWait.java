package dev.imagejobs.gateway.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code wait} preference of a request (RFC 7240, {@code Prefer: wait=10}): how long the client
 * would like the answer held back for the job to end, capped by the server. Preferences this server
 * does not know, and a {@code wait} that is not a number of seconds, are ignored as the RFC asks.
 *
 * @param applied the wait this server grants
 */
record PreferWait(Duration applied) {
  static final String PREFER = "Prefer";
  static final String PREFERENCE_APPLIED = "Preference-Applied";

  /** The wait asked for in the {@code Prefer} headers, capped at {@code max}; empty when none. */
  static Optional<PreferWait> of(List<String> preferHeaders, Duration max) {
    if (preferHeaders == null) {
      return Optional.empty();
    }
    for (String header : preferHeaders) {
      for (String preference : header.split(",")) {
        String token = preference.split(";", 2)[0].strip();
        int equals = token.indexOf('=');
        if (equals < 0 || !token.substring(0, equals).strip().toLowerCase(Locale.ROOT).equals("wait")) {
          continue;
        }
        String value = token.substring(equals + 1).strip().replace("\"", "");
        if (!value.matches("\\d{1,9}")) {
          continue;
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(value));
        return Optional.of(new PreferWait(asked.compareTo(max) > 0 ? max : asked));
      }
    }
    return Optional.empty();
  }

  /** The {@code Preference-Applied} value: the wait granted, in seconds. */
  String preferenceApplied() {
    return "wait=" + applied.toSeconds();
  }
}
