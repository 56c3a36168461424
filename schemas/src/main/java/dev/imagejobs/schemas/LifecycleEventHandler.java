package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.schemas.avro.UploadStarted;
import dev.imagejobs.schemas.avro.VariantSelected;

/**
 * Typed callbacks for lifecycle events; implement the ones a consumer cares about and hand events
 * to {@link LifecycleEvent#dispatchTo}. Unhandled types are ignored.
 */
public interface LifecycleEventHandler {
  default void on(JobRequested event) {}

  default void on(JobStarted event) {}

  default void on(GenerationStarted event) {}

  default void on(GenerationAttemptFailed event) {}

  default void on(ImageGenerated event) {}

  default void on(UploadStarted event) {}

  default void on(JobCompleted event) {}

  default void on(JobFailed event) {}

  default void on(JobRetryRequested event) {}

  default void on(JobCancelRequested event) {}

  default void on(JobCanceled event) {}

  default void on(VariantSelected event) {}
}
