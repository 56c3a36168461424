package dev.imagejobs.gateway.projects;

import dev.imagejobs.gateway.readmodel.ProjectSummary;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.security.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The tenant's projects: those it has jobs in. */
@RestController
@Tag(name = "projects", description = "The projects a tenant has jobs in")
class ProjectsController {
  static final String PROJECTS = "/api/v1/images/projects";
  /** The most projects listed: the most recently active ones. */
  static final int MAX_PROJECTS = 200;

  private final ReadModel readModel;

  ProjectsController(ReadModel readModel) {
    this.readModel = readModel;
  }

  @Operation(summary = "List the tenant's projects", description = "Every project the tenant has jobs in, the most "
      + "recently active first (at most 200), with its number of jobs, their count by status and when one last "
      + "changed.")
  @GetMapping(path = PROJECTS, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<ProjectSummary>> list(Tenant tenant) {
    return readModel.projects(tenant.id(), MAX_PROJECTS).collectList();
  }
}
