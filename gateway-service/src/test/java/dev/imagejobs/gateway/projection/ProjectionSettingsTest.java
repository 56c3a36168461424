package dev.imagejobs.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class ProjectionSettingsTest {

  @Test
  void givenABatchWaitThenTheBrokerHoldsFetchesThatLongForMoreThanABatch() {
    assertThat(settings(Duration.ofMillis(20)).batching())
        .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20)
        .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, ProjectionSettings.BATCH_BYTES);
  }

  @Test
  void givenNoBatchWaitThenTheConsumerKeepsTheClientDefaults() {
    assertThat(settings(Duration.ZERO).batching()).isEmpty();
  }

  @Test
  void givenANegativeBatchWaitOrOneAsLongAsAPollThenItIsRefused() {
    assertThatThrownBy(() -> settings(Duration.ofMillis(-1))).hasMessageContaining("batch-wait");
    assertThatThrownBy(() -> settings(Duration.ofMillis(500))).hasMessageContaining("batch-wait");
  }

  private static ProjectionSettings settings(Duration batchWait) {
    return new ProjectionSettings(true, Duration.ofMillis(500), 500, batchWait, Duration.ofMillis(200),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), "group");
  }
}
