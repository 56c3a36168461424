package dev.imagejobs.gateway.jobs;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Body of {@code POST /api/v1/images/jobs/{jobId}/select}. */
record SelectVariantRequest(
    @Schema(description = "The variant to choose: a stored one of the completed job, from 1")
    @NotNull @Min(1) @Max(CreateJobRequest.MAX_VARIANTS) Integer variant) {}
