package dev.imagejobs.gateway.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/** The projection's stored offsets, against the real table. */
class ProjectionOffsetsIT extends GatewayIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Autowired
  private DatabaseClient db;

  @Test
  void givenAProjectorThatLostItsPartitionsCommittingLateThenTheNewOwnersOffsetsDoNotMoveBackwards() {
    ProjectionOffsets offsets = new ProjectionOffsets(db, "group-" + UUID.randomUUID(), "image-jobs.lifecycle.v1");
    // The new owner of partitions 0 and 1 has projected up to 100 and 50.
    offsets.save(Map.of(0, 100L, 1, 50L)).block(WAIT);

    // The old owner, a zombie since the rebalance, commits the batch it was still holding.
    offsets.save(Map.of(0, 80L, 1, 60L, 2, 7L)).block(WAIT);

    assertThat(offsets.load().block(WAIT)).containsExactlyInAnyOrderEntriesOf(Map.of(0, 100L, 1, 60L, 2, 7L));
  }
}
