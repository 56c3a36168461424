package dev.imagejobs.webhooks.intake;

import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobCanceled;
import dev.imagejobs.schemas.avro.JobFailed;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code data} of each webhook, as documented in docs/webhooks.md: what a tenant may see of its
 * job, never where the service keeps it (the image is reached through the gateway's image route).
 * The project id is added from the job's row when the delivery is written.
 */
final class WebhookPayloads {
  private static final String IMAGE_ROUTE = "/api/v1/images/jobs/%s/image";

  private final JsonMapper json;

  WebhookPayloads(JsonMapper json) {
    this.json = json;
  }

  /** A failure's or cancellation's data; completions take the job's summary instead ({@link #summary}). */
  String ending(LifecycleEvent event) {
    EventMetadata metadata = event.metadata();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("jobId", metadata.getJobId());
    data.put("tenantId", metadata.getTenantId());
    data.put("run", metadata.getRun());
    if (event.payload() instanceof JobFailed failed) {
      data.put("failureStage", failed.getFailureStage());
      data.put("errorClass", failed.getErrorClass());
      data.put("errorCode", failed.getErrorCode());
      data.put("message", failed.getMessage());
    } else if (event.payload() instanceof JobCanceled canceled) {
      data.put("stage", canceled.getStage());
      data.put("reason", canceled.getReason());
    }
    return json.writeValueAsString(data);
  }

  /** A completion's data: the job's completed summary, costs in USD. */
  String summary(ImageJobCompleted summary) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("jobId", summary.getJobId());
    data.put("tenantId", summary.getTenantId());
    data.put("projectId", summary.getProjectId());
    data.put("jobType", summary.getJobType().name());
    data.put("branchId", summary.getBranchId());
    data.put("sceneId", summary.getSceneId());
    data.put("shotId", summary.getShotId());
    data.put("assetId", summary.getAssetId());
    data.put("prompt", summary.getPrompt());
    data.put("styleCapsuleId", summary.getStyleCapsuleId());
    data.put("aspectRatio", summary.getAspectRatio());
    data.put("imageSize", summary.getImageSize());
    data.put("image", IMAGE_ROUTE.formatted(summary.getJobId()));
    data.put("contentType", summary.getContentType());
    data.put("sizeBytes", summary.getSizeBytes());
    data.put("width", summary.getWidth());
    data.put("height", summary.getHeight());
    data.put("sha256", summary.getSha256());
    data.put("estimatedCostUsd", usd(summary.getEstimatedCostMicros()));
    data.put("actualCostUsd", usd(summary.getActualCostMicros()));
    data.put("provider", summary.getProvider());
    data.put("model", summary.getModel());
    data.put("attempts", summary.getAttempts());
    data.put("retries", summary.getRetries());
    data.put("createdAt", summary.getCreatedAt().toString());
    data.put("startedAt", summary.getStartedAt() == null ? null : summary.getStartedAt().toString());
    data.put("completedAt", summary.getCompletedAt().toString());
    return json.writeValueAsString(data);
  }

  private static BigDecimal usd(long micros) {
    return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
  }
}
