package dev.imagejobs.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.imagejobs.gateway.web.Ids;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Pattern;

/**
 * One reference image a job request names: exactly one of a completed job of the tenant (its
 * image) or an image uploaded to the tenant's project ({@code POST /api/v1/images/references});
 * {@link ReferenceResolver} checks that one is named.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "Exactly one of jobId and referenceId")
record ReferenceRequest(
    @Schema(description = "A completed job of the tenant, whose image is sent")
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String jobId,
    @Schema(description = "An uploaded reference image of the tenant")
    @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String referenceId) {}
