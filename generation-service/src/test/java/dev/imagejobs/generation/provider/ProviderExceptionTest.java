package dev.imagejobs.generation.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderExceptionTest {

  @ParameterizedTest
  @CsvSource({"TEMPORARY,true", "RATE_LIMIT,true", "TIMEOUT,true", "PERMANENT,false", "AUTH_ERROR,false",
      "CONTENT_BLOCKED,false", "UNKNOWN,false"})
  void givenOnlyAClass_thenRetryabilityFollowsTheClassAndNoDelayIsGiven(ErrorClass errorClass, boolean retryable) {
    ProviderException e = new ProviderException(errorClass, "CODE", "message");

    assertThat(e.retryable()).isEqualTo(retryable);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(ProviderException.retryableByDefault(errorClass)).isEqualTo(retryable);
  }

  @Test
  void givenAProviderDecision_thenItOverridesTheClassDefault() {
    ProviderException daily = new ProviderException(ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", "daily quota", null,
        false, null);
    ProviderException perMinute = new ProviderException(ErrorClass.RATE_LIMIT, "RESOURCE_EXHAUSTED", "slow down", null,
        true, Duration.ofSeconds(31));

    assertThat(daily.retryable()).isFalse();
    assertThat(perMinute.retryable()).isTrue();
    assertThat(perMinute.retryAfter()).contains(Duration.ofSeconds(31));
  }

  @Test
  void givenARetryableContentBlock_thenItIsRefused() {
    assertThatThrownBy(() -> new ProviderException(ErrorClass.CONTENT_BLOCKED, "SAFETY", "blocked", null, true, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenANegativeDelay_thenItIsRefused() {
    assertThatThrownBy(() -> new ProviderException(ErrorClass.TEMPORARY, "503", "busy", null, true,
        Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }
}
