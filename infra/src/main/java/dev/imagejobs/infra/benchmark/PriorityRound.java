package dev.imagejobs.infra.benchmark;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What one round of the {@code priority} scenario measured, from the server's timestamps of every
 * job of the round, read once the round's jobs ended.
 *
 * @param waits each probe's wait to start by priority, in seconds ({@code createdAt} to {@code startedAt}),
 *     NaN for a probe that never started
 * @param backlogJobs the round's jobs other than the probes
 * @param fillSeconds how long queueing the backlog took (setup)
 * @param queuedAhead backlog jobs not yet started when the first probe was created
 * @param startRate jobs started per second from the first probe's creation to the round's last start
 * @param drainSeconds from the first probe's creation to the end of the round's last job
 * @param unended the round's jobs that had not ended when they were read
 */
record PriorityRound(Map<String, Double> waits, long backlogJobs, double fillSeconds, long queuedAhead,
    double startRate, double drainSeconds, long unended) {

  PriorityRound {
    waits = Collections.unmodifiableMap(new LinkedHashMap<>(waits));
  }

  /**
   * @param jobs every job of the round's project, probes included
   * @param probes the probes' job ids by priority, in the order they were submitted
   * @param fillSeconds how long queueing the backlog took
   */
  static PriorityRound of(List<JobTimes> jobs, Map<String, String> probes, double fillSeconds) {
    Map<String, JobTimes> byId = jobs.stream().collect(Collectors.toMap(JobTimes::jobId, Function.identity()));
    Instant probesCreated = probes.values().stream().map(byId::get).filter(Objects::nonNull)
        .map(JobTimes::createdAt).filter(Objects::nonNull).min(Instant::compareTo)
        .orElseThrow(() -> new IllegalStateException("No probe of " + probes + " is among the round's jobs"));
    Map<String, Double> waits = new LinkedHashMap<>();
    probes.forEach((priority, jobId) -> {
      JobTimes probe = byId.get(jobId);
      waits.put(priority, probe == null ? Double.NaN : probe.waitToStartSeconds());
    });
    Set<String> probeIds = Set.copyOf(probes.values());
    List<JobTimes> backlog = jobs.stream().filter(job -> !probeIds.contains(job.jobId())).toList();
    long queuedAhead = backlog.stream()
        .filter(job -> job.startedAt() == null || job.startedAt().isAfter(probesCreated)).count();
    List<Instant> laterStarts = jobs.stream().map(JobTimes::startedAt)
        .filter(started -> started != null && started.isAfter(probesCreated)).toList();
    double startRate = laterStarts.stream().max(Instant::compareTo)
        .map(last -> Numbers.ratio(laterStarts.size(), JobTimes.seconds(probesCreated, last)))
        .orElse(Double.NaN);
    double drainSeconds = jobs.stream().map(JobTimes::endedAt).filter(Objects::nonNull).max(Instant::compareTo)
        .map(lastEnd -> JobTimes.seconds(probesCreated, lastEnd)).orElse(Double.NaN);
    long unended = jobs.stream().filter(job -> job.endedAt() == null).count();
    return new PriorityRound(waits, backlog.size(), fillSeconds, queuedAhead, startRate, drainSeconds, unended);
  }

  /** What the normal probe's wait should be: the jobs queued ahead of it, started at the measured rate. */
  double queuedAheadOverStartRate() {
    return Numbers.ratio(queuedAhead, startRate);
  }
}
