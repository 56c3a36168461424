package dev.imagejobs.gateway.stream;

/**
 * A wake-up for the event feed: never the data itself, only a reason to read the history again.
 * The feed reads every event after its position whatever the signal, so a signal carries nothing
 * else.
 */
enum EventSignal {
  /** Some instance committed events (a database notification). */
  COMMITTED,
  /** The notification connection was (re)opened: anything may have been missed meanwhile. */
  RESYNC
}
