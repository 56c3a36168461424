package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProviderRateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ProviderRateLimiter limiter =
      new ProviderRateLimiter(Map.of("nano-banana", 60), now::get, Runnable::run);

  @Test
  void givenAFullBucket_thenAMinutesWorthOfCallsGoAtOnceAndTheNextWaitsForItsToken() {
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.reserve("nano-banana")).isZero();
    }

    assertThat(limiter.reserve("nano-banana")).isEqualTo(Duration.ofSeconds(1));
    assertThat(limiter.reserve("nano-banana")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void givenTimePasses_thenTokensGrowBackAtTheConfiguredRate() {
    for (int i = 0; i < 61; i++) {
      limiter.reserve("nano-banana");
    }

    now.addAndGet(Duration.ofSeconds(3).toNanos());

    // One token was owed; three grew back.
    assertThat(limiter.reserve("nano-banana")).isZero();
    assertThat(limiter.reserve("nano-banana")).isZero();
    assertThat(limiter.reserve("nano-banana")).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void givenAProviderWithoutALimit_thenItIsNeverHeldBack() {
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.reserve("local")).isZero();
    }
    assertThat(limiter.acquire("local")).isCompleted();
  }

  @Test
  void givenAnExhaustedBucket_whenAcquiring_thenTheFutureCompletesOnlyAfterTheWait() {
    ProviderRateLimiter oneAMinute = new ProviderRateLimiter(Map.of("p", 1), System::nanoTime, Runnable::run);
    assertThat(oneAMinute.acquire("p")).isCompleted();

    CompletableFuture<Void> second = oneAMinute.acquire("p");

    assertThat(second).isNotDone();
    second.cancel(false);
  }

  @Test
  void givenAZeroLimit_thenTheSettingIsRejected() {
    assertThatThrownBy(() -> new ProviderRateLimiter(Map.of("p", 0), System::nanoTime, Runnable::run))
        .hasMessageContaining("requests-per-minute");
  }
}
