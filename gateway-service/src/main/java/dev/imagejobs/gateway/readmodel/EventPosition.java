package dev.imagejobs.gateway.readmodel;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an event stands among all events of the read model: the id of the transaction that wrote
 * it, then its order among that transaction's writes. Readers see a position only once every
 * transaction with a lower id has ended, so positions come in order and a reader that passed one
 * never finds a committed event below it later (docs/adr/0009-event-positions.md). As a stream id
 * it is a token ({@code "<tx>-<seq>"}) that clients pass back without reading it; a plain number,
 * the form of ids issued before positions had two parts, means {@code (0, n)}.
 *
 * @param txId the writing transaction's id ({@code pg_current_xact_id}), 0 for events written
 *     before transaction ids were recorded
 * @param seq the event's number from a sequence, increasing within a transaction
 */
public record EventPosition(long txId, long seq) implements Comparable<EventPosition> {
  /** Before every event. */
  public static final EventPosition START = new EventPosition(0, 0);

  private static final Pattern TOKEN = Pattern.compile("(?:(\\d{1,18})-)?(\\d{1,18})");

  public EventPosition {
    if (txId < 0 || seq < 0) {
      throw new IllegalArgumentException("Positions are not negative: " + txId + "-" + seq);
    }
  }

  /** The position a token names, or empty when it is not one this API issues. */
  public static Optional<EventPosition> parse(String token) {
    Matcher matcher = TOKEN.matcher(token == null ? "" : token);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    long tx = matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1));
    return Optional.of(new EventPosition(tx, Long.parseLong(matcher.group(2))));
  }

  /** The stream id of this position. */
  public String token() {
    return txId + "-" + seq;
  }

  @Override
  public int compareTo(EventPosition other) {
    int byTransaction = Long.compare(txId, other.txId);
    return byTransaction != 0 ? byTransaction : Long.compare(seq, other.seq);
  }

  public boolean isAfter(EventPosition other) {
    return compareTo(other) > 0;
  }

  @Override
  public String toString() {
    return token();
  }
}
