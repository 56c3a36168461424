package dev.imagejobs.gateway.ratelimit;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

/**
 * Bounds the creations one gateway instance runs at once ({@code imagejobs.admission.max-creations-in-flight}).
 * Offered more than the database and this instance's processors complete, creations would otherwise
 * queue in front of the connection pool until clients time out; past the bound a request gets
 * {@code 503} with {@code Retry-After} at once and touches nothing, and the requests inside it stay
 * fast. The bound is per instance and shared by every tenant: it protects the instance, the per-tenant
 * limits ({@link CreationRateLimiter}, {@link BacklogLimit}) protect tenants from each other.
 */
@Component
public class CreationsInFlight {
  private final AdmissionSettings settings;
  private final Semaphore permits;

  CreationsInFlight(AdmissionSettings settings) {
    this.settings = settings;
    this.permits = settings.maxCreationsInFlight() == 0 ? null : new Semaphore(settings.maxCreationsInFlight());
  }

  /**
   * Runs {@code creation} if a permit is free when the result is subscribed to, holding the permit
   * until it ends (or is canceled); otherwise errors with a {@code 503} problem.
   */
  public <T> Mono<T> admit(Supplier<Mono<T>> creation) {
    if (permits == null) {
      return Mono.defer(creation);
    }
    return Mono.defer(() -> {
      if (!permits.tryAcquire()) {
        return Mono.error(overloaded());
      }
      return Mono.defer(creation).doFinally(signal -> permits.release());
    });
  }

  private ErrorResponseException overloaded() {
    long seconds = settings.retryAfterSeconds();
    return Refusals.retryLater(HttpStatus.SERVICE_UNAVAILABLE, "Gateway overloaded",
        "This gateway is creating as many jobs as it can (" + settings.maxCreationsInFlight()
            + " at once); try again in " + seconds + " s",
        seconds);
  }

}
