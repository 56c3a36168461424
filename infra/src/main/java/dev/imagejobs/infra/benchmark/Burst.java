package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Submits a number of jobs as fast as the gateway takes them: a fixed number of requests in
 * flight, the next sent as soon as one is answered (closed loop, for loading a stack, not for
 * measuring latency under a rate).
 *
 * @param accepted ids of the accepted jobs
 * @param answers answers by status code, plus {@code error:<kind>} (timeouts included)
 * @param latency each request's time from its own send to its answer
 * @param seconds time from the first send to the last answer
 */
record Burst(Set<String> accepted, Map<String, Long> answers, LatencySummary latency, double seconds) {

  static final int CONCURRENCY = 64;

  /** Sends {@code jobs} requests with bodies from {@code bodies}, {@link #CONCURRENCY} at a time. */
  static Burst submit(BenchmarkStack stack, int jobs, LongFunction<String> bodies, Duration deadline) {
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    LatencyRecorder latency = new LatencyRecorder();
    long first = System.nanoTime();
    Flux.range(0, jobs)
        .flatMap(index -> {
          long sent = System.nanoTime();
          return stack.gateway().submit(bodies.apply(index))
              .timeout(WindowedLoad.REQUEST_TIMEOUT)
              .doOnNext(outcome -> {
                latency.recordNanos(System.nanoTime() - sent);
                answers.computeIfAbsent(Integer.toString(outcome.status()), k -> new LongAdder()).increment();
                if (outcome.status() == 202) {
                  accepted.add(outcome.jobId());
                  stack.jobsAccepted().incrementAndGet();
                }
              })
              .onErrorResume(error -> {
                answers.computeIfAbsent("error:" + error.getClass().getSimpleName(), k -> new LongAdder()).increment();
                return Mono.empty();
              });
        }, CONCURRENCY)
        .then()
        .block(deadline);
    Map<String, Long> counts = new TreeMap<>();
    answers.forEach((answer, count) -> counts.put(answer, count.sum()));
    return new Burst(Set.copyOf(accepted), counts, latency.summary(), (System.nanoTime() - first) / 1e9);
  }
}
