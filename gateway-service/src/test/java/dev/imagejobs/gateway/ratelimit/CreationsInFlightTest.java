package dev.imagejobs.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class CreationsInFlightTest {
  private static final Duration RETRY_AFTER = Duration.ofMillis(1500);

  private final CreationsInFlight inFlight = new CreationsInFlight(new AdmissionSettings(0, 2, RETRY_AFTER));

  @Test
  void pastTheBoundAnswers503WithoutRunningTheCreation() {
    Sinks.One<String> first = Sinks.one();
    Sinks.One<String> second = Sinks.one();
    inFlight.admit(first::asMono).subscribe();
    inFlight.admit(second::asMono).subscribe();
    AtomicInteger started = new AtomicInteger();

    StepVerifier.create(inFlight.admit(() -> {
          started.incrementAndGet();
          return Mono.just("third");
        }))
        .expectErrorSatisfies(error -> {
          ErrorResponseException refused = (ErrorResponseException) error;
          assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
          assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
          assertThat(refused.getBody().getProperties()).containsEntry("retryAfterSeconds", 2L);
        })
        .verify();
    assertThat(started).hasValue(0);
  }

  @Test
  void aPermitComesBackWhenACreationSucceedsFailsOrIsCanceled() {
    Sinks.One<String> succeeds = Sinks.one();
    Sinks.One<String> fails = Sinks.one();
    inFlight.admit(succeeds::asMono).subscribe();
    inFlight.admit(fails::asMono).subscribe(value -> {}, error -> {});
    succeeds.tryEmitValue("done");
    fails.tryEmitError(new IllegalStateException("database down"));

    Disposable canceled = inFlight.admit(() -> Mono.<String>never()).subscribe();
    canceled.dispose();

    StepVerifier.create(inFlight.admit(() -> Mono.just("a"))).expectNext("a").verifyComplete();
    Sinks.One<String> held = Sinks.one();
    inFlight.admit(held::asMono).subscribe();
    inFlight.admit(Mono::<String>never).subscribe();
    StepVerifier.create(inFlight.admit(() -> Mono.just("b"))).expectError(ErrorResponseException.class).verify();
  }

  @Test
  void aPermitIsTakenOnlyWhenTheResultIsSubscribedTo() {
    for (int i = 0; i < 10; i++) {
      inFlight.admit(() -> Mono.just("never subscribed"));
    }
    StepVerifier.create(inFlight.admit(() -> Mono.just("x"))).expectNext("x").verifyComplete();
  }

  @Test
  void zeroMeansNoBound() {
    CreationsInFlight unbounded = new CreationsInFlight(new AdmissionSettings(0, 0, RETRY_AFTER));
    for (int i = 0; i < 1000; i++) {
      unbounded.admit(Mono::<String>never).subscribe();
    }
    StepVerifier.create(unbounded.admit(() -> Mono.just("x"))).expectNext("x").verifyComplete();
  }
}
