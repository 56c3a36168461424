package dev.imagejobs.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.messaging.ModelCatalogue;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST /api/v1/images/jobs}. Enumerations are strings checked here, so an unknown
 * value is reported as a field error instead of an unreadable body; each is accepted in the one
 * spelling the API shows it in. An absent {@code priority} is left out of the request's canonical
 * form ({@link JobCreation}): a request that names none has the fingerprint it had before the field
 * existed, so idempotency keys stored by an earlier version still replay; {@code references} and the
 * fields added after it likewise.
 */
@ValidJobTarget
record CreateJobRequest(
    @NotNull
    @Pattern(regexp = JOB_TYPES, message = "must be one of ASSET_IMAGE_KEY, START_FRAME, END_FRAME, EDIT")
    String jobType,
    @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String projectId,
    @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String branchId,
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String sceneId,
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String shotId,
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String assetId,
    @NotBlank
    @Size(max = MAX_PROMPT_LENGTH)
    // PostgreSQL cannot store NUL in text; reject it here rather than fail later.
    @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters")
    String prompt,
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String styleCapsuleId,
    @Schema(description = "Required, except for EDIT jobs, which take the supported ratio nearest the source's "
        + "when it is absent")
    @Pattern(regexp = ASPECT_RATIOS, message = "must be one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9")
    String aspectRatio,
    @Pattern(regexp = IMAGE_SIZES, message = "must be one of 1K, 2K, 4K") String imageSize,
    @Schema(allowableValues = {"high", "normal", "low"}, description = "Which waiting jobs generation starts "
        + "first; absent: the default of the job type (imagejobs.jobs.priorities.*, normal unless configured)")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Pattern(regexp = PRIORITIES, message = "must be one of high, normal, low")
    String priority,
    @Schema(description = "Images sent to the model with the prompt, in this order: completed jobs' images and "
        + "uploaded reference images; at most what the model takes (GET /api/v1/images/model)")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Size(max = MAX_REFERENCES, message = "must hold at most " + MAX_REFERENCES + " reference images")
    List<@NotNull @Valid ReferenceRequest> references,
    @Schema(description = "END_FRAME only: the shot's start frame (a completed START_FRAME job of the same project, "
        + "scene and shot), sent first among the references so the two frames match")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String startFrameJobId,
    @Schema(description = "END_FRAME only: find the shot's start frame (its latest completed START_FRAME job) and "
        + "send it as startFrameJobId would; 422 when the shot has none")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Boolean matchStartFrame,
    @Schema(description = "EDIT only (and required there): the image to change, and optionally a mask")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Valid EditRequest edit,
    @Schema(description = "How many images of this request to make, 1 to 4 (absent: 1), each a provider call of its "
        + "own, charged on its own; at most what the model makes (GET /api/v1/images/model)")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Min(1) @Max(MAX_VARIANTS) Integer variants) {

  static final int MAX_PROMPT_LENGTH = 4000;
  static final String JOB_TYPES = "ASSET_IMAGE_KEY|START_FRAME|END_FRAME|EDIT";
  static final String ASPECT_RATIOS = "1:1|2:3|3:2|3:4|4:3|4:5|5:4|9:16|16:9|21:9";
  static final String IMAGE_SIZES = "1K|2K|4K";
  static final String PRIORITIES = "high|normal|low";
  /** More than any model takes; the model's own limit is checked at creation. */
  static final int MAX_REFERENCES = 16;
  static final int MAX_VARIANTS = ModelCatalogue.MAX_VARIANTS;

  /** How many images the request asks for. */
  int variantCount() {
    return variants == null ? 1 : variants;
  }

  boolean isFrame() {
    return "START_FRAME".equals(jobType) || "END_FRAME".equals(jobType);
  }

  /** Whether the request asks for its shot's start frame as a reference, named or found. */
  boolean continuesStartFrame() {
    return startFrameJobId != null || Boolean.TRUE.equals(matchStartFrame);
  }

  boolean isEdit() {
    return "EDIT".equals(jobType);
  }

  boolean isAssetKey() {
    return "ASSET_IMAGE_KEY".equals(jobType);
  }
}
