package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Offers job submissions at a constant arrival rate, open loop: request {@code i} is sent at its
 * intended time from the {@link ArrivalSchedule} whether or not earlier ones were answered, and its
 * latency runs from that intended time to its answer. Requests due during the warm-up are sent but
 * never counted. A request unanswered after the timeout counts as a timeout and enters the latency
 * histogram with the time it waited (a lower bound of its latency).
 */
final class OpenLoopLoad {

  /** Told about every accepted job, on an event-loop thread: must not block. */
  @FunctionalInterface
  interface AcceptListener {
    /**
     * @param index the request's number in the schedule
     * @param measured whether it was due in the measured window (not in the warm-up)
     */
    void accepted(long index, String jobId, long intendedNanos, long answeredNanos, boolean measured);
  }

  /**
   * Figures of one load run; counts cover the requests due in the measured window only.
   *
   * @param schedule when each request was due
   * @param warmupRequests requests due during the warm-up (sent, not counted)
   * @param offered requests due in the measured window
   * @param windowStartNanos start of the measured window
   * @param windowEndNanos end of the measured window
   * @param latency POST latency from intended send time to answer, timeouts included
   * @param answers answers by status code, plus {@code timeout} and {@code error:<kind>}
   * @param withoutRetryAfter 429 and 503 answers that carried no {@code Retry-After}
   * @param acceptedTotal 202 answers to every request, warm-up included
   * @param maxSendLagMs the furthest the client fell behind its schedule when sending
   * @param unfinished requests still unanswered when the load gave up waiting
   */
  record Result(
      ArrivalSchedule schedule, long warmupRequests, long offered, long windowStartNanos, long windowEndNanos,
      LatencySummary latency, Map<String, Long> answers, long withoutRetryAfter, long acceptedTotal,
      double maxSendLagMs, long unfinished) {

    double windowSeconds() {
      return (windowEndNanos - windowStartNanos) / 1e9;
    }

    long accepted() {
      return answers.getOrDefault("202", 0L);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(OpenLoopLoad.class);
  private static final Duration START_DELAY = Duration.ofMillis(100);

  private final LongFunction<Mono<PostOutcome>> request;
  private final Duration timeout;

  /**
   * @param request sends request number {@code i}
   * @param timeout how long a request may stay unanswered before it counts as a timeout
   */
  OpenLoopLoad(LongFunction<Mono<PostOutcome>> request, Duration timeout) {
    this.request = request;
    this.timeout = timeout;
  }

  /**
   * A load that has started: when its measured window opens and closes (so a scenario can start and
   * stop its probes on time) and its result.
   *
   * @param windowStartNanos {@link System#nanoTime()} when the warm-up ends
   * @param windowEndNanos when the last request is due
   * @param result completes once every request is answered or timed out
   */
  record Running(long windowStartNanos, long windowEndNanos, CompletableFuture<Result> result) {}

  /** Starts the load on a thread of its own, shortly after this call. */
  Running start(double rate, Duration warmup, Duration measured, AcceptListener listener) {
    ArrivalSchedule schedule = ArrivalSchedule.ofRate(rate, System.nanoTime() + START_DELAY.toNanos());
    CompletableFuture<Result> result = new CompletableFuture<>();
    Thread driver = new Thread(() -> {
      try {
        result.complete(run(schedule, warmup, measured, listener));
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    }, "open-loop-load");
    driver.setDaemon(true);
    driver.start();
    return new Running(schedule.intendedNanos(schedule.countWithin(warmup)),
        schedule.intendedNanos(schedule.countWithin(warmup.plus(measured))), result);
  }

  private Result run(ArrivalSchedule schedule, Duration warmup, Duration measured, AcceptListener listener) {
    long warmupRequests = schedule.countWithin(warmup);
    long total = schedule.countWithin(warmup.plus(measured));
    LatencyRecorder latency = new LatencyRecorder();
    Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    LongAdder withoutRetryAfter = new LongAdder();
    LongAdder acceptedTotal = new LongAdder();
    AtomicLong outstanding = new AtomicLong();
    long maxLag = 0;
    for (long i = 0; i < total; i++) {
      long intended = schedule.intendedNanos(i);
      long now;
      while ((now = System.nanoTime()) < intended) {
        LockSupport.parkNanos(intended - now);
      }
      maxLag = Math.max(maxLag, now - intended);
      boolean counted = i >= warmupRequests;
      long index = i;
      outstanding.incrementAndGet();
      Mono<PostOutcome> call;
      try {
        call = request.apply(index);
      } catch (RuntimeException e) {
        call = Mono.error(e);
      }
      call.timeout(timeout).subscribe(
          outcome -> {
            long answered = System.nanoTime();
            if (outcome.status() == 202) {
              acceptedTotal.increment();
              listener.accepted(index, outcome.jobId(), intended, answered, counted);
            }
            if (counted) {
              latency.recordNanos(answered - intended);
              answers.computeIfAbsent(Integer.toString(outcome.status()), k -> new LongAdder()).increment();
              if ((outcome.status() == 429 || outcome.status() == 503) && !outcome.retryAfter()) {
                withoutRetryAfter.increment();
              }
            }
            outstanding.decrementAndGet();
          },
          error -> {
            if (counted) {
              String kind = error instanceof TimeoutException ? "timeout" : "error:" + error.getClass().getSimpleName();
              if (error instanceof TimeoutException) {
                latency.recordNanos(System.nanoTime() - intended);
              }
              answers.computeIfAbsent(kind, k -> new LongAdder()).increment();
            }
            outstanding.decrementAndGet();
          });
    }
    // Every request has its own timeout; this only guards against a client that never signals.
    long deadline = System.nanoTime() + timeout.plusSeconds(10).toNanos();
    while (outstanding.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    if (outstanding.get() > 0) {
      LOG.warn("{} requests still unanswered {} after the last was sent", outstanding.get(), timeout.plusSeconds(10));
    }
    Map<String, Long> counts = new TreeMap<>();
    answers.forEach((kind, count) -> counts.put(kind, count.sum()));
    return new Result(schedule, warmupRequests, total - warmupRequests, schedule.intendedNanos(warmupRequests),
        schedule.intendedNanos(total), latency.summary(), counts, withoutRetryAfter.sum(), acceptedTotal.sum(),
        maxLag / 1e6, outstanding.get());
  }
}
