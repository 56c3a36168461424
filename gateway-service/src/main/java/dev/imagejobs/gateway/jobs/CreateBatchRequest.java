package dev.imagejobs.gateway.jobs;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST /api/v1/images/batches}: 1 to {@value #MAX_JOBS} job bodies, each exactly as
 * for a single job. An error in a job names it by its index, e.g. {@code jobs[3].prompt}.
 */
record CreateBatchRequest(
    @ArraySchema(schema = @Schema(implementation = CreateJobRequest.class), minItems = 1, maxItems = MAX_JOBS,
        arraySchema = @Schema(description = "The jobs to create, all or none"))
    @NotNull
    @Size(min = 1, max = MAX_JOBS, message = "must hold 1 to " + MAX_JOBS + " jobs")
    List<@NotNull @Valid CreateJobRequest> jobs) {

  static final int MAX_JOBS = 100;
}
