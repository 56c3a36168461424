package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventSignalTest {

  @Test
  void givenTheReadModelsPayloadThenTheSignalConcernsItsJobAndProjectOnly() {
    EventSignal signal = EventSignal.parse("{\"id\": 17, \"jobId\": \"j1\", \"seq\": 3, \"projectId\": \"p1\"}");

    assertThat(signal.globalSeq()).isEqualTo(17);
    assertThat(signal.concernsJob("j1")).isTrue();
    assertThat(signal.concernsJob("j2")).isFalse();
    assertThat(signal.concernsProject("p1")).isTrue();
    assertThat(signal.concernsProject("p2")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\": 17}", "not json", "", "[]"})
  void givenAPayloadWithoutJobAndProjectThenEveryStreamIsWoken(String payload) {
    EventSignal signal = EventSignal.parse(payload);

    assertThat(signal.concernsJob("any")).isTrue();
    assertThat(signal.concernsProject("any")).isTrue();
  }
}
