package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferWaitTest {
  private static final Duration MAX = Duration.ofSeconds(60);

  @Test
  void givenAWaitPreferenceThenItIsGrantedUpToTheCap() {
    assertThat(PreferWait.of(List.of("wait=10"), MAX)).contains(new PreferWait(Duration.ofSeconds(10)));
    assertThat(PreferWait.of(List.of("respond-async, WAIT = \"5\""), MAX)).contains(new PreferWait(Duration.ofSeconds(5)));
    assertThat(PreferWait.of(List.of("handling=lenient", "wait=600"), MAX)).contains(new PreferWait(MAX));
    assertThat(PreferWait.of(List.of("wait=600"), MAX).orElseThrow().preferenceApplied()).isEqualTo("wait=60");
  }

  @Test
  void givenNoUsableWaitThenThePreferenceIsIgnored() {
    assertThat(PreferWait.of(null, MAX)).isEmpty();
    assertThat(PreferWait.of(List.of("respond-async"), MAX)).isEmpty();
    assertThat(PreferWait.of(List.of("wait=-1", "wait=soon", "wait=99999999999"), MAX)).isEmpty();
    assertThat(PreferWait.of(List.of("waited=3"), MAX)).isEmpty();
  }
}
