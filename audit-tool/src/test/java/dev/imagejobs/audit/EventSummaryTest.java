package dev.imagejobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import org.junit.jupiter.api.Test;

class EventSummaryTest {

  @Test
  void givenARequestedEditThenItsLineNamesTheImageItChangesAndWhetherWithinAMask() {
    ReferenceImage image = ReferenceImage.newBuilder().setSource("job").setId("frame-1")
        .setStoragePath("tenant_t/done.png").setContentType("image/png").setSizeBytes(1).setWidth(1).setHeight(1)
        .setSha256("ab".repeat(32)).build();
    JobRequested requested = JobRequested.newBuilder(Events.aJobRequested("job-1"))
        .setSpec(Events.anAssetKeySpec().setJobType(JobType.EDIT).setAssetId(null)
            .setEdit(ImageEdit.newBuilder().setSource(image).setMask(image).build()).build())
        .build();

    assertThat(EventSummary.of(LifecycleEvent.of(requested)))
        .startsWith("EDIT project=p1 branch=main edits=job:frame-1 masked ratio=");
  }
}
