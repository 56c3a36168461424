package dev.imagejobs.streams.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.JobStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JobStateCodecTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:15:30.123Z");

  private final JobStateCodec codec = new JobStateCodec();

  @Test
  void readsBackACompletedStateWithEveryField() {
    // Given the state of a completed job, every field and every optional spec field set
    JobState state = new JobState("job-1", "tenant-a", JobLifecycle.fullSpec(), JobStatus.COMPLETED, 2, 1,
        T0, T0.plusSeconds(1), T0.plusSeconds(9), T0.plusSeconds(9), 38_700, "nano-banana", "gemini",
        new JobState.StoredImage("p/b/a_job-1.png", "gs://bucket/p/b/a_job-1.png", "image/png", 123_456, 2048, 1152,
            "ab".repeat(32)),
        "event-9", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        IntStream.rangeClosed(1, JobState.RECENT_EVENT_IDS).mapToObj(i -> "event-" + i).toList());

    // When it is written to the store and read back, it is the same state
    assertThat(codec.decode(codec.encode(state))).isEqualTo(state);
  }

  @Test
  void readsBackAFreshStateWithItsGaps() {
    // Given a just-queued job: no start, no image, no completion, no trace
    JobState state = new JobState("job-2", "tenant-a", JobLifecycle.fullSpec(), JobStatus.QUEUED, 0, 0,
        T0, null, T0, null, 0, null, null, null, null, null, List.of("event-1"));

    // When it round-trips, the gaps stay gaps
    assertThat(codec.decode(codec.encode(state))).isEqualTo(state);
  }

  @Test
  void refusesBytesOfAnUnknownFormatOrTruncated() {
    byte[] valid = codec.encode(new JobState("job-3", "tenant-a", JobLifecycle.fullSpec(), JobStatus.QUEUED, 0, 0,
        T0, null, T0, null, 0, null, null, null, null, null, List.of("event-1")));

    byte[] futureFormat = valid.clone();
    futureFormat[0] = 99;
    assertThatThrownBy(() -> codec.decode(futureFormat))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format 99");
    byte[] truncated = Arrays.copyOf(valid, valid.length - 5);
    assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(SerializationException.class);
  }

  @Test
  void remembersOnlyTheMostRecentEventIds() {
    JobState.Builder builder = new JobState.Builder("job-4");
    for (int i = 1; i <= JobState.RECENT_EVENT_IDS + 5; i++) {
      builder.remember("event-" + i);
    }

    assertThat(builder.recentEventIds)
        .hasSize(JobState.RECENT_EVENT_IDS)
        .startsWith("event-6")
        .endsWith("event-" + (JobState.RECENT_EVENT_IDS + 5));
  }
}
