package dev.imagejobs.gateway.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.JobPriority;
import org.junit.jupiter.api.Test;

class JobSnapshotsTest {

  private final JobRow high = ((FoldResult.Applied) JobFold.apply(null, LifecycleEvent.of(
      LifecycleEvents.aJob("tenant-a").requested(Events.anAssetKeySpec().setPriority(JobPriority.HIGH).build()))))
      .row();

  @Test
  void givenARowThenItsSnapshotSpellsThePriorityAsTheApiAndReadsBackTheSame() {
    String snapshot = JobSnapshots.write(high);

    assertThat(snapshot).contains("\"priority\":\"high\"");
    assertThat(JobSnapshots.read(snapshot)).isEqualTo(high);
  }

  @Test
  void givenASnapshotStoredBeforePrioritiesExistedThenTheJobIsNormal() {
    String snapshot = JobSnapshots.write(high).replace("\"priority\":\"high\",", "");

    assertThat(snapshot).doesNotContain("priority");
    assertThat(JobSnapshots.read(snapshot).priority()).isEqualTo(Priority.NORMAL);
  }

  @Test
  void givenASnapshotWithAPriorityOfALaterVersionThenTheJobIsNormal() {
    String snapshot = JobSnapshots.write(high).replace("\"priority\":\"high\"", "\"priority\":\"urgent\"");

    assertThat(JobSnapshots.read(snapshot).priority()).isEqualTo(Priority.NORMAL);
  }
}
