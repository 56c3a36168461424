package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.web.Ids;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST} (with {@code capsuleId}) and {@code PUT} of a project's style capsule.
 *
 * @param capsuleId its id, on {@code POST} (ignored on {@code PUT}, where the path names it)
 * @param styleText the style, added to the prompt of every job that uses the capsule
 * @param referenceIds uploaded reference images of the project, sent with every such job, in order
 */
record StyleCapsuleRequest(
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String capsuleId,
    @NotBlank @Size(max = MAX_STYLE_TEXT) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters")
    String styleText,
    @Schema(description = "Uploaded reference images of the project (POST /api/v1/images/references), at most 3")
    @Size(max = MAX_REFERENCES, message = "must hold at most " + MAX_REFERENCES + " reference images")
    List<@NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String> referenceIds) {

  static final int MAX_STYLE_TEXT = 2000;
  static final int MAX_REFERENCES = 3;

  List<String> references() {
    return referenceIds == null ? List.of() : referenceIds;
  }
}
