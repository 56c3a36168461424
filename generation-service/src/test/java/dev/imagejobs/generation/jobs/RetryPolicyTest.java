package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy standard = RetryPolicy.standard();

  @Test
  void givenTheStandardPolicyWithoutJitter_thenDelaysDoubleFromOneSecondAndStopAfterThreeRetries() {
    assertThat(standard.delayBefore(1, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(1));
    assertThat(standard.delayBefore(2, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(2));
    assertThat(standard.delayBefore(3, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(4));
    assertThat(standard.delayBefore(4, Optional.empty(), () -> 0)).isEmpty();
  }

  @Test
  void givenMoreRetries_thenTheDelayIsCappedAtTenSeconds() {
    RetryPolicy many = new RetryPolicy(6, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), 0, Duration.ofSeconds(60));

    assertThat(many.delayBefore(4, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(8));
    assertThat(many.delayBefore(5, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(10));
    assertThat(many.delayBefore(6, Optional.empty(), () -> 0)).contains(Duration.ofSeconds(10));
  }

  @Test
  void givenJitter_thenTheDelayShrinksByAtMostTheJitterShare() {
    assertThat(standard.delayBefore(2, Optional.empty(), () -> 0.999_999)).contains(Duration.ofMillis(1600));
    assertThat(standard.delayBefore(2, Optional.empty(), () -> 0.5)).contains(Duration.ofMillis(1800));
  }

  @Test
  void givenAProviderDelay_thenItIsHonouredUpToTheLimitAndBeyondItTheJobIsNotRetried() {
    assertThat(standard.delayBefore(1, Optional.of(Duration.ofSeconds(31)), () -> 0.5))
        .contains(Duration.ofSeconds(31));
    assertThat(standard.delayBefore(1, Optional.of(Duration.ofMinutes(5)), () -> 0.5)).isEmpty();
    assertThat(standard.delayBefore(4, Optional.of(Duration.ofSeconds(1)), () -> 0.5)).isEmpty();
  }

  @Test
  void givenInconsistentSettings_thenTheyAreRejectedWithTheSettingsName() {
    assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, 2, Duration.ZERO, 0, Duration.ZERO))
        .hasMessageContaining("max-retries");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(5), 2, Duration.ofSeconds(1), 0, Duration.ZERO))
        .hasMessageContaining("initial-delay");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, 2, Duration.ZERO, 1.5, Duration.ZERO))
        .hasMessageContaining("jitter");
  }
}
