package dev.imagejobs.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void givenAFullBucketThenTheBurstPassesAndTheNextWaitsForTheRefill() {
    TokenBucket bucket = new TokenBucket(2, 3, 0);

    assertThat(bucket.take(0, 1)).isZero();
    assertThat(bucket.take(0, 1)).isZero();
    assertThat(bucket.take(0, 1)).isZero();
    assertThat(bucket.take(0, 1)).isEqualTo(Duration.ofMillis(500));
    assertThat(bucket.take(SECOND / 2, 1)).as("one token refilled after half a second at 2/s").isZero();
    assertThat(bucket.take(SECOND / 2, 1)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void givenABatchThenItTakesATokenPerJobAllOrNone() {
    TokenBucket bucket = new TokenBucket(2, 5, 0);

    assertThat(bucket.take(0, 4)).isZero();
    assertThat(bucket.take(0, 3)).as("two tokens short, refilled at 2/s").isEqualTo(Duration.ofSeconds(1));
    assertThat(bucket.take(0, 1)).as("the refused batch took nothing").isZero();
    assertThat(bucket.take(SECOND, 2)).isZero();
  }

  @Test
  void givenALongPauseThenTheBucketHoldsNoMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(1, 2, 0);
    bucket.take(0, 1);
    bucket.take(0, 1);

    long later = 3600 * SECOND;
    assertThat(bucket.isFull(later)).isTrue();
    assertThat(bucket.take(later, 1)).isZero();
    assertThat(bucket.take(later, 1)).isZero();
    assertThat(bucket.take(later, 1)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void givenTenantsThenEachHasItsOwnAllowanceAndARefusalSaysWhenToRetry() {
    AtomicLong now = new AtomicLong();
    CreationRateLimiter limiter = new CreationRateLimiter(new RateLimitSettings(true, 0.5, 1), now::get);

    limiter.acquire("a");
    limiter.acquire("b");
    assertThatThrownBy(() -> limiter.acquire("a"))
        .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
          assertThat(refused.getBody().getProperties()).containsEntry("retryAfterSeconds", 2L);
          assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
          assertThat(refused.getStatusCode().value()).isEqualTo(429);
        });
    now.addAndGet(2 * SECOND);
    limiter.acquire("a");
  }

  @Test
  void givenABatchLargerThanTheBurstThenItIsUnprocessableRatherThanToRetry() {
    CreationRateLimiter limiter = new CreationRateLimiter(new RateLimitSettings(true, 1, 10), () -> 0);

    assertThatThrownBy(() -> limiter.acquire("a", 11))
        .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
          assertThat(refused.getStatusCode().value()).isEqualTo(422);
          assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNull();
          assertThat(refused.getBody().getDetail()).contains("11 jobs", "(10, imagejobs.rate-limit.burst)");
        });
    limiter.acquire("a", 10);
  }

  @Test
  void givenTheLimitDisabledThenNothingIsRefused() {
    CreationRateLimiter limiter = new CreationRateLimiter(new RateLimitSettings(false, 0, 0), () -> 0);

    for (int i = 0; i < 1000; i++) {
      limiter.acquire("a");
    }
  }
}
