package dev.imagejobs.gateway.stats;

import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /api/v1/images/stats}: the tenant's job figures since a point in time (default: the last 24 hours). */
@RestController
@Tag(name = "stats", description = "Job statistics")
class StatsController {
  static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

  private final JobStatistics statistics;
  private final Clock clock;

  StatsController(JobStatistics statistics, Clock clock) {
    this.statistics = statistics;
    this.clock = clock;
  }

  @Operation(summary = "Job statistics", description = "Share of jobs by status, average and p95 completion time, "
      + "estimated and actual cost by job type, of the jobs created since 'since' (ISO-8601, default 24 h ago).")
  @GetMapping(path = "/api/v1/images/stats", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<JobStats> stats(
      Tenant tenant,
      @RequestParam(required = false) String since,
      @RequestParam(required = false) String projectId) {
    List<FieldMessage> errors = new ArrayList<>();
    Instant from = clock.instant().minus(DEFAULT_WINDOW);
    if (since != null) {
      try {
        from = OffsetDateTime.parse(since).toInstant();
      } catch (DateTimeParseException e) {
        errors.add(new FieldMessage("since", "must be an ISO-8601 date-time with offset, e.g. 2026-11-24T10:00:00Z"));
      }
    }
    if (projectId != null && !Ids.isValid(projectId)) {
      errors.add(new FieldMessage("projectId", Ids.MESSAGE));
    }
    if (!errors.isEmpty()) {
      return Mono.error(new InvalidInputException(errors));
    }
    return statistics.compute(tenant.id(), projectId, from);
  }
}
