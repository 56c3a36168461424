package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CompletedJobCodecTest {
  private final CompletedJobCodec codec = new CompletedJobCodec();

  @Test
  void roundTripsTheSummary() {
    ImageJobCompleted summary = ImageJobCompleted.newBuilder()
        .setJobId("job-1").setCompletedEventId("event-9").setTenantId("tenant-a")
        .setJobType(JobType.START_FRAME).setProjectId("p1").setBranchId("main").setSceneId("s1").setShotId("sh1")
        .setPrompt("Dawn over the harbour").setAspectRatio("16:9").setImageSize("1K")
        .setStoragePath("project_p1/branch_main/scene_s1/shot_sh1/start_frame_job-1.png")
        .setObjectUri("file:///tmp/asset-images/project_p1/branch_main/scene_s1/shot_sh1/start_frame_job-1.png")
        .setContentType("image/png").setSizeBytes(1234).setWidth(1024).setHeight(576).setSha256("ab".repeat(32))
        .setEstimatedCostMicros(39000).setActualCostMicros(38700).setProvider("nano-banana")
        .setModel("gemini-2.5-flash-image").setAttempts(2).setRetries(0)
        .setCreatedAt(Instant.parse("2026-11-24T10:00:00Z")).setStartedAt(Instant.parse("2026-11-24T10:00:01Z"))
        .setCompletedAt(Instant.parse("2026-11-24T10:00:09Z"))
        .build();

    assertThat(codec.decode(codec.encode(summary))).isEqualTo(summary);
  }

  @Test
  void refusesALifecycleEvent() {
    byte[] lifecycle = new LifecycleCodec().encode(Events.aJobStarted("job-1"));
    assertThatThrownBy(() -> codec.decode(lifecycle)).isInstanceOf(UndecodableEventException.class);
  }
}
