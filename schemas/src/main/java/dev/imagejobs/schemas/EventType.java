package dev.imagejobs.schemas;

import dev.imagejobs.schemas.avro.EventMetadata;
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
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every lifecycle event type with its Avro class and its CloudEvents {@code ce_type}: the one
 * place that maps between them, so no other code compares event-type strings.
 */
public enum EventType {
  JOB_REQUESTED(JobRequested.class, JobRequested::getMetadata, LifecycleEventHandler::on),
  JOB_STARTED(JobStarted.class, JobStarted::getMetadata, LifecycleEventHandler::on),
  GENERATION_STARTED(GenerationStarted.class, GenerationStarted::getMetadata, LifecycleEventHandler::on),
  GENERATION_ATTEMPT_FAILED(
      GenerationAttemptFailed.class, GenerationAttemptFailed::getMetadata, LifecycleEventHandler::on),
  IMAGE_GENERATED(ImageGenerated.class, ImageGenerated::getMetadata, LifecycleEventHandler::on),
  UPLOAD_STARTED(UploadStarted.class, UploadStarted::getMetadata, LifecycleEventHandler::on),
  JOB_COMPLETED(JobCompleted.class, JobCompleted::getMetadata, LifecycleEventHandler::on),
  JOB_FAILED(JobFailed.class, JobFailed::getMetadata, LifecycleEventHandler::on),
  JOB_RETRY_REQUESTED(JobRetryRequested.class, JobRetryRequested::getMetadata, LifecycleEventHandler::on),
  JOB_CANCEL_REQUESTED(
      JobCancelRequested.class, JobCancelRequested::getMetadata, LifecycleEventHandler::on),
  JOB_CANCELED(JobCanceled.class, JobCanceled::getMetadata, LifecycleEventHandler::on),
  VARIANT_SELECTED(VariantSelected.class, VariantSelected::getMetadata, LifecycleEventHandler::on);

  /** Prefix of every {@code ce_type}; the suffix is the Avro record name. */
  public static final String CE_TYPE_PREFIX = "dev.imagejobs.lifecycle.";

  private static final Map<Class<?>, EventType> BY_CLASS =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.recordClass, t -> t));
  private static final Map<String, EventType> BY_CE_TYPE =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::ceType, t -> t));

  private final Class<? extends SpecificRecord> recordClass;
  private final Function<SpecificRecord, EventMetadata> metadata;
  private final BiConsumer<LifecycleEventHandler, SpecificRecord> dispatch;

  @SuppressWarnings("unchecked")
  <T extends SpecificRecord> EventType(
      Class<T> recordClass,
      Function<T, EventMetadata> metadata,
      BiConsumer<LifecycleEventHandler, T> dispatch) {
    this.recordClass = recordClass;
    this.metadata = record -> metadata.apply((T) record);
    this.dispatch = (handler, record) -> dispatch.accept(handler, (T) record);
  }

  public Class<? extends SpecificRecord> recordClass() {
    return recordClass;
  }

  /** The Avro record name, e.g. {@code JobRequested}. */
  public String simpleName() {
    return recordClass.getSimpleName();
  }

  /** The CloudEvents type, e.g. {@code dev.imagejobs.lifecycle.JobRequested}. */
  public String ceType() {
    return CE_TYPE_PREFIX + simpleName();
  }

  /** The schema this build writes. */
  public Schema currentSchema() {
    return SchemaCatalogue.current(this);
  }

  EventMetadata metadataOf(SpecificRecord record) {
    return metadata.apply(record);
  }

  void dispatch(SpecificRecord record, LifecycleEventHandler handler) {
    dispatch.accept(handler, record);
  }

  public static EventType of(SpecificRecord record) {
    EventType type = BY_CLASS.get(record.getClass());
    if (type == null) {
      throw new IllegalArgumentException("Not a lifecycle event: " + record.getClass().getName());
    }
    return type;
  }

  public static Optional<EventType> fromCeType(String ceType) {
    return Optional.ofNullable(ceType).map(BY_CE_TYPE::get);
  }

  public static Optional<EventType> fromSimpleName(String name) {
    return fromCeType(CE_TYPE_PREFIX + name);
  }
}
