package dev.imagejobs.messaging;

import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.RunEnded;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For each job, the latest run that has ended (completed, failed by anyone including the watchdog,
 * or canceled), as the ended-runs topic ({@link Topics#ENDED_RUNS}) says; {@link EndedRunsReader}
 * keeps it up to date. Generation asks it before a run starts and before every provider call, upload
 * before storing an image, so a run that ended while its request waited in a backlog, or that a
 * replay or lost offsets deliver again, is never paid for or stored.
 *
 * <p>It holds the runs that ended within the horizon (the topic's retention). A run whose starting
 * event is older than the horizon is {@link Verdict#HISTORY}: every such run has ended long since,
 * since the watchdog's deadlines are far shorter, so it is never run again either. Thread-safe.
 */
public final class EndedRuns {

  /** What to do with a run. */
  public enum Verdict {
    /** Not known to have ended: go on. */
    RUNNABLE,
    /** This run, or a later one, has ended: do nothing more for it. */
    ENDED,
    /** Its starting event is older than the horizon: a replay or lost offsets, never run again. */
    HISTORY
  }

  private final Duration horizon;
  private final Clock clock;
  private final Map<String, Ended> byJob = new ConcurrentHashMap<>();

  /**
   * @param horizon the ended-runs topic's retention
   */
  public EndedRuns(Duration horizon, Clock clock) {
    this.horizon = horizon;
    this.clock = clock;
  }

  /**
   * @param run the run's number (0 for the first)
   * @param writtenAt when the run's starting event, or the event at hand of the run, was written
   */
  public Verdict verdict(String jobId, int run, Instant writtenAt) {
    if (writtenAt.isBefore(clock.instant().minus(horizon))) {
      return Verdict.HISTORY;
    }
    Ended ended = byJob.get(jobId);
    return ended != null && ended.run() >= run ? Verdict.ENDED : Verdict.RUNNABLE;
  }

  /** How the latest ended run of the job ended, for logs, e.g. {@code failed (run 0, by watchdog)}. */
  public String endedStatus(String jobId) {
    Ended ended = byJob.get(jobId);
    return ended == null ? "not ended" : ended.status() + " (run " + ended.run() + ", by " + ended.endedBy() + ")";
  }

  /** Jobs whose latest ended run is held. */
  public int size() {
    return byJob.size();
  }

  /** Records that a run ended; a later run's end wins over an earlier one whatever the order. */
  public void record(RunEnded ended) {
    // A handful of distinct statuses and producers: interned, so each held run costs its key and a small record.
    Ended latest = new Ended(ended.getRun(), ended.getStatus().intern(), ended.getEndedBy().intern(),
        ended.getEndedAt().toEpochMilli());
    byJob.merge(ended.getJobId(), latest, (known, arriving) -> arriving.run() >= known.run() ? arriving : known);
  }

  /** Forgets the job (a tombstone on the topic). */
  public void forget(String jobId) {
    byJob.remove(jobId);
  }

  /**
   * Forgets runs that ended before the horizon: any run started within it ended within it too, so
   * what is forgotten can only be asked about as history.
   */
  public void forgetOlderThanHorizon() {
    long limit = clock.instant().minus(horizon).toEpochMilli();
    byJob.values().removeIf(ended -> ended.endedAtMillis() < limit);
  }

  private record Ended(int run, String status, String endedBy, long endedAtMillis) {}
}
