package dev.imagejobs.audit;

import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.avro.GenerationAttemptFailed;
import dev.imagejobs.schemas.avro.GenerationStarted;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import dev.imagejobs.schemas.avro.VariantSelected;

/** The few fields of an event an auditor reads first, on one line. */
final class EventSummary implements LifecycleEventHandler {
  private String text = "";

  private EventSummary() {}

  static String of(LifecycleEvent event) {
    EventSummary summary = new EventSummary();
    event.dispatchTo(summary);
    return summary.text;
  }

  @Override
  public void on(JobRequested e) {
    var spec = e.getSpec();
    text = spec.getJobType() + " project=" + spec.getProjectId() + " branch=" + spec.getBranchId()
        + (spec.getSceneId() == null ? "" : " scene=" + spec.getSceneId())
        + (spec.getShotId() == null ? "" : " shot=" + spec.getShotId())
        + (spec.getAssetId() == null ? "" : " asset=" + spec.getAssetId())
        + (spec.getEdit() == null ? "" : " edits=" + spec.getEdit().getSource().getSource() + ":"
            + spec.getEdit().getSource().getId() + (spec.getEdit().getMask() == null ? "" : " masked"))
        + " ratio=" + spec.getAspectRatio() + " provider=" + spec.getProvider() + "/" + spec.getModel()
        + " prompt=\"" + abbreviate(spec.getPrompt()) + "\"";
  }

  @Override
  public void on(GenerationStarted e) {
    text = e.getProvider() + "/" + e.getModel();
  }

  @Override
  public void on(GenerationAttemptFailed e) {
    text = e.getErrorClass() + " " + e.getErrorCode() + " retry in " + e.getRetryDelayMillis() + " ms: "
        + abbreviate(e.getMessage());
  }

  @Override
  public void on(ImageGenerated e) {
    text = e.getContentType() + " " + e.getWidth() + "x" + e.getHeight() + " " + e.getSizeBytes() + " B staged at "
        + e.getStagedRef() + " cost=" + e.getActualCostMicros() + "µ$";
  }

  @Override
  public void on(JobCompleted e) {
    text = e.getObjectUri() + " sha256=" + e.getSha256();
  }

  @Override
  public void on(JobFailed e) {
    text = "stage=" + e.getFailureStage() + " " + e.getErrorClass() + " " + e.getErrorCode() + ": "
        + abbreviate(e.getMessage());
  }

  @Override
  public void on(JobRetryRequested e) {
    text = "retry #" + e.getRetryCount();
  }

  @Override
  public void on(JobCancelRequested e) {
    text = e.getReason() == null ? "" : "reason: " + abbreviate(e.getReason());
  }

  @Override
  public void on(JobCanceled e) {
    text = "stage=" + e.getStage() + (e.getReason() == null ? "" : " reason: " + abbreviate(e.getReason()));
  }

  @Override
  public void on(VariantSelected e) {
    text = "variant " + e.getVariant() + " chosen: " + e.getStoragePath() + " to " + e.getJobStoragePath();
  }

  private static String abbreviate(String value) {
    if (value == null) {
      return "";
    }
    String oneLine = value.replaceAll("\\s+", " ");
    return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
  }
}
