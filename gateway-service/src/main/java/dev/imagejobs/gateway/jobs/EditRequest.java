package dev.imagejobs.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * What an EDIT job request changes: the source image, a completed job's or an uploaded one of the
 * job's project, and optionally a mask, an uploaded PNG of the source's size whose opaque pixels
 * (alpha 128 or more) mark the region that may change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record EditRequest(
    @Schema(description = "The image to change: a completed job of the project, or an image uploaded to it")
    @NotNull @Valid ReferenceRequest source,
    @Schema(description = "A PNG of the source's size with an alpha channel, uploaded to the project (or a completed "
        + "job's PNG): pixels with alpha 128 or more may change, all others keep the source's pixels exactly; "
        + "absent: the whole image may change")
    @Valid ReferenceRequest mask) {}
