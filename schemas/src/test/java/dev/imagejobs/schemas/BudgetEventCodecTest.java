package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.avro.BudgetThresholdReached;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BudgetEventCodecTest {
  private final BudgetEventCodec codec = new BudgetEventCodec();

  @Test
  void roundTripsAThresholdReached() {
    BudgetThresholdReached reached = BudgetThresholdReached.newBuilder()
        .setEventId("7f0c7c57-3d7b-3bd4-9a3c-6a1d7c2f3e01").setTenantId("tenant-a").setProjectId("film")
        .setThresholdPercent(80).setAmountMicros(10_000_000).setSpentMicros(6_000_000).setReservedMicros(2_500_000)
        .setRemainingMicros(1_500_000).setPeriodStart(Instant.parse("2026-12-01T00:00:00Z"))
        .setOccurredAt(Instant.parse("2026-12-07T10:00:00Z"))
        .build();

    assertThat(codec.decode(codec.encode(reached))).isEqualTo(reached);
  }

  @Test
  void refusesOtherRecords() {
    byte[] lifecycle = new LifecycleCodec().encode(Events.aJobStarted("job-1"));
    assertThatThrownBy(() -> codec.decode(lifecycle)).isInstanceOf(UndecodableEventException.class)
        .hasMessageStartingWith("Not a BudgetThresholdReached");
  }
}
