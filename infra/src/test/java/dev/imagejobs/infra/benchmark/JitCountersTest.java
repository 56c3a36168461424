package dev.imagejobs.infra.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitCountersTest {

  @Test
  void givenPerfCountersThenCompilesAndSecondsAreRead() {
    String output = """
        12345:
        java.ci.totalTime=2500000000
        sun.ci.lastMethod="org/example/Foo bar"
        sun.ci.totalCompiles=27077
        sun.os.hrt.frequency=1000000000
        """;

    assertThat(JitCounters.parse(output)).contains(new JitCounters(27077, 2.5));
  }

  @Test
  void givenTwoReadingsThenTheDifferenceIsWhatTheWindowCompiled() {
    JitCounters start = new JitCounters(26_000, 300.0);
    JitCounters end = new JitCounters(26_631, 342.5);

    assertThat(end.since(start)).isEqualTo(new JitCounters(631, 42.5));
  }

  @Test
  void givenOutputWithoutTheCountersThenNothingIsRead() {
    assertThat(JitCounters.parse("12345:\nsun.os.hrt.frequency=1000000000\n")).isEmpty();
    assertThat(JitCounters.parse("java.ci.totalTime=x\nsun.ci.totalCompiles=1\nsun.os.hrt.frequency=1\n")).isEmpty();
  }
}
