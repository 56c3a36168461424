package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceparentTest {

  @Test
  void newRootIsAValidSampledVersion00Traceparent() {
    String root = Traceparent.newRoot();
    assertThat(root).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(Traceparent.traceId(root)).isPresent();
  }

  @Test
  void childKeepsTheTraceIdWithANewSpan() {
    String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String child = Traceparent.childOf(parent);
    assertThat(child).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").isNotEqualTo(parent);
  }

  @Test
  void invalidParentsStartANewTrace() {
    for (String invalid : new String[] {null, "", "garbage", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
      assertThat(Traceparent.traceId(invalid)).as(invalid).isEmpty();
      assertThat(Traceparent.traceId(Traceparent.childOf(invalid))).isPresent();
    }
  }

  @Test
  void orNewRootKeepsAValidTraceparentAndStartsATraceForAnInvalidOne() {
    String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    assertThat(Traceparent.orNewRoot(valid)).isEqualTo(valid);
    assertThat(Traceparent.traceId(Traceparent.orNewRoot("00-zz-00f067aa0ba902b7-01"))).isPresent();
    assertThat(Traceparent.traceId(Traceparent.orNewRoot(null))).isPresent();
  }
}
