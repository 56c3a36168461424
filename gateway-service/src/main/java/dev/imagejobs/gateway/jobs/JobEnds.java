package dev.imagejobs.gateway.jobs;

import java.time.Duration;
import reactor.core.publisher.Mono;

/** Tells when a job ends, for requests that prefer to wait for it ({@code Prefer: wait}). */
public interface JobEnds {

  /**
   * Completes with {@code true} as soon as the job has an event after its event {@code afterSeq}
   * that leaves it in a terminal status, or with {@code false} once {@code max} has passed; holds no
   * thread meanwhile. The wait counts as an open event stream of the tenant.
   *
   * @throws org.springframework.web.ErrorResponseException a {@code 429} when the tenant or the
   *     instance has as many streams open as allowed
   */
  Mono<Boolean> awaitEnd(String tenantId, String jobId, long afterSeq, Duration max);

  /** Waits in progress on this instance. */
  int waiting();
}
