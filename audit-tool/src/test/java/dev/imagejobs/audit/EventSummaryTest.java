package dev.imagejobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.schemas.avro.VariantSelected;
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

  @Test
  void givenAChoiceOfVariantThenItsLineNamesTheVariantAndWhereItGoes() {
    VariantSelected selected = VariantSelected.newBuilder().setMetadata(Events.metadata("job-1", "gateway", 0))
        .setVariant(2).setStoragePath("t/a_j_v2.png").setJobStoragePath("t/a_j.png").setContentType("image/png")
        .setSizeBytes(1L).setSha256("ab".repeat(32)).setWidth(1).setHeight(1).build();

    assertThat(EventSummary.of(LifecycleEvent.of(selected))).isEqualTo("variant 2 chosen: t/a_j_v2.png to t/a_j.png");
  }
}
