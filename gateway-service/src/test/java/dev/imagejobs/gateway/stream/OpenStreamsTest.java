package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

class OpenStreamsTest {

  private static OpenStreams limits(int maxStreams, int maxPerTenant) {
    return new OpenStreams(new StreamSettings(Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMillis(5),
        1000, Duration.ofMillis(2500), 200, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30),
        maxStreams, maxPerTenant));
  }

  @Test
  void givenATenantAtItsBoundThenItsNextStreamIsRefusedWith429AndRetryAfterWhileOtherTenantsOpenTheirs() {
    OpenStreams streams = limits(10, 2);
    streams.admit("a");
    streams.admit("a");

    assertThatThrownBy(() -> streams.admit("a"))
        .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
          assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
          assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
          assertThat(refused.getBody().getDetail()).contains("This tenant").contains("(2)");
        });
    streams.admit("b");
    assertThat(streams.openOf("a")).isEqualTo(2);
    assertThat(streams.open()).isEqualTo(3);
  }

  @Test
  void givenTheInstanceAtItsBoundThenEveryTenantIsRefusedAndNothingIsCounted() {
    OpenStreams streams = limits(2, 5);
    streams.admit("a");
    streams.admit("b");

    assertThatThrownBy(() -> streams.admit("c")).isInstanceOf(ErrorResponseException.class)
        .hasMessageContaining("This gateway");
    assertThat(streams.open()).isEqualTo(2);
    assertThat(streams.openOf("c")).isZero();
  }

  @Test
  void givenAStreamReleasedTwiceThenItIsCountedOffOnce() {
    OpenStreams streams = limits(10, 1);
    Runnable first = streams.admit("a");
    Runnable other = streams.admit("b");

    first.run();
    first.run();

    assertThat(streams.openOf("a")).isZero();
    assertThat(streams.openOf("b")).isEqualTo(1);
    assertThat(streams.open()).isEqualTo(1);
    streams.admit("a");
    other.run();
    assertThat(streams.open()).isEqualTo(1);
  }
}
