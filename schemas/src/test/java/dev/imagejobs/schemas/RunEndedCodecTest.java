package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.avro.RunEnded;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunEndedCodecTest {
  private final RunEndedCodec codec = new RunEndedCodec();

  @Test
  void roundTripsAnEndedRun() {
    RunEnded ended = RunEnded.newBuilder()
        .setJobId("job-1").setTenantId("tenant-a").setRun(2).setStatus("failed").setEndedBy("watchdog")
        .setEndedAt(Instant.parse("2026-12-06T10:00:00Z"))
        .build();

    assertThat(codec.decode(codec.encode(ended))).isEqualTo(ended);
  }

  @Test
  void refusesOtherRecords() {
    byte[] lifecycle = new LifecycleCodec().encode(Events.aJobStarted("job-1"));
    assertThatThrownBy(() -> codec.decode(lifecycle)).isInstanceOf(UndecodableEventException.class)
        .hasMessageStartingWith("Not a RunEnded");
    assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3})).isInstanceOf(UndecodableEventException.class);
  }
}
