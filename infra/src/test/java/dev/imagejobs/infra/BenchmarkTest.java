package dev.imagejobs.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkTest {

  @Test
  void givenAHundredValues_thenPercentilesAreTheNearestRanks() {
    List<Long> values = new ArrayList<>();
    for (long i = 100; i >= 1; i--) {
      values.add(i);
    }
    Collections.shuffle(values);

    assertThat(Benchmark.summary(values)).isEqualTo("min 1  p50 50  p95 95  p99 99  max 100");
  }

  @Test
  void givenOneValue_thenEveryFigureIsThatValue() {
    assertThat(Benchmark.summary(List.of(42L))).isEqualTo("min 42  p50 42  p95 42  p99 42  max 42");
  }

  @Test
  void givenNoValues_thenNone() {
    assertThat(Benchmark.summary(List.of())).isEqualTo("none");
  }
}
