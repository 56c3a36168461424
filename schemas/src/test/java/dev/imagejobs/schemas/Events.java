package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.JobType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Builders of realistic lifecycle events for tests; shipped in the schemas test-jar. */
public final class Events {
  private Events() {}

  /**
   * Metadata written a moment ago, as a live event's is: services treat events older than the
   * ended-runs retention as history and do not act on them.
   */
  public static EventMetadata metadata(String jobId, String producer, int attempt) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(jobId)
        .setTenantId("tenant-a")
        .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .setProducer(producer)
        .setAttempt(attempt)
        .setTraceparent(Traceparent.newRoot())
        .build();
  }

  public static JobSpec.Builder anAssetKeySpec() {
    return JobSpec.newBuilder()
        .setJobType(JobType.ASSET_IMAGE_KEY)
        .setProjectId("p1")
        .setBranchId("main")
        .setAssetId("hero")
        .setPrompt("A lighthouse keeper with a red scarf, storyboard style")
        .setAspectRatio("16:9")
        .setImageSize("1K")
        .setProvider("local")
        .setModel("local-v1")
        .setEstimatedCostMicros(0);
  }

  public static JobRequested aJobRequested(String jobId) {
    return JobRequested.newBuilder()
        .setMetadata(metadata(jobId, "gateway", 0))
        .setSpec(anAssetKeySpec().build())
        .build();
  }

  public static JobStarted aJobStarted(String jobId) {
    return JobStarted.newBuilder().setMetadata(metadata(jobId, "generation", 0)).build();
  }
}
