package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.references.UploadedReferences;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A project's style capsules: create, list (with the built-in ones), read, update (a new version)
 * and delete (hidden from new jobs; the jobs that used it keep its text and images in their specs).
 */
@RestController
@Tag(name = "style capsules", description = "Styles a project's jobs can name")
class StyleCapsulesController {
  static final String PROJECT_CAPSULES = "/api/v1/images/projects/{projectId}/style-capsules";

  private final ProjectCapsules capsules;
  private final StyleCapsules builtIn;
  private final UploadedReferences uploads;

  StyleCapsulesController(ProjectCapsules capsules, StyleCapsules builtIn, UploadedReferences uploads) {
    this.capsules = capsules;
    this.builtIn = builtIn;
    this.uploads = uploads;
  }

  @Operation(summary = "List the style capsules a project's jobs can name", description = "The project's own, at "
      + "their latest versions, then the built-in ones (which a project capsule of the same id cannot exist beside).")
  @GetMapping(path = PROJECT_CAPSULES, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<StyleCapsuleView>> list(@PathVariable String projectId, Tenant tenant) {
    requireId("projectId", projectId);
    return capsules.list(tenant.id(), projectId).map(StyleCapsuleView::of)
        .concatWith(Flux.fromIterable(builtIn.all()).map(StyleCapsuleView::of))
        .collectList();
  }

  @Operation(summary = "Create a project's style capsule", description = "Version 1 (or, for the id of a deleted "
      + "capsule, the next version). 409 when the project has a capsule of that id or it is a built-in one's.")
  @ApiResponse(responseCode = "201", description = "The capsule")
  @PostMapping(path = PROJECT_CAPSULES, consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<StyleCapsuleView>> create(@PathVariable String projectId, Tenant tenant,
      @Valid @RequestBody StyleCapsuleRequest body) {
    requireId("projectId", projectId);
    if (body.capsuleId() == null) {
      throw new InvalidInputException("capsuleId", "is required");
    }
    if (builtIn.isBuiltIn(body.capsuleId())) {
      return Mono.error(conflict("Style capsule " + body.capsuleId() + " is a built-in one"));
    }
    return referencesOf(tenant.id(), projectId, body)
        .then(capsules.create(tenant.id(), projectId, body.capsuleId(), body.styleText(), body.references()))
        .switchIfEmpty(Mono.error(() -> conflict("Project " + projectId + " has a style capsule "
            + body.capsuleId() + "; change it with PUT")))
        .map(created -> ResponseEntity.created(URI.create(location(projectId, created.capsuleId())))
            .body(StyleCapsuleView.of(created)));
  }

  @Operation(summary = "Read a project's style capsule, at its latest version")
  @ApiResponse(responseCode = "404", description = "No such capsule in the project (or it was deleted)")
  @GetMapping(path = PROJECT_CAPSULES + "/{capsuleId}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<StyleCapsuleView> get(@PathVariable String projectId, @PathVariable String capsuleId, Tenant tenant) {
    requireId("projectId", projectId);
    requireId("capsuleId", capsuleId);
    return capsules.latest(tenant.id(), projectId, capsuleId).map(StyleCapsuleView::of)
        .switchIfEmpty(Mono.error(() -> notFound(projectId, capsuleId)));
  }

  @Operation(summary = "Change a project's style capsule", description = "Writes its next version; jobs created "
      + "before keep the version they used, and so do their retries.")
  @ApiResponse(responseCode = "404", description = "No such capsule in the project (or it was deleted)")
  @PutMapping(path = PROJECT_CAPSULES + "/{capsuleId}", consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<StyleCapsuleView> update(@PathVariable String projectId, @PathVariable String capsuleId, Tenant tenant,
      @Valid @RequestBody StyleCapsuleRequest body) {
    requireId("projectId", projectId);
    requireId("capsuleId", capsuleId);
    return referencesOf(tenant.id(), projectId, body)
        .then(capsules.update(tenant.id(), projectId, capsuleId, body.styleText(), body.references()))
        .map(StyleCapsuleView::of)
        .switchIfEmpty(Mono.error(() -> notFound(projectId, capsuleId)));
  }

  @Operation(summary = "Delete a project's style capsule", description = "New jobs can no longer name it; jobs "
      + "that used it keep its text and images.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "No such capsule in the project")
  @DeleteMapping(PROJECT_CAPSULES + "/{capsuleId}")
  Mono<ResponseEntity<Void>> delete(@PathVariable String projectId, @PathVariable String capsuleId, Tenant tenant) {
    requireId("projectId", projectId);
    requireId("capsuleId", capsuleId);
    return capsules.delete(tenant.id(), projectId, capsuleId)
        .flatMap(deleted -> deleted ? Mono.just(ResponseEntity.noContent().<Void>build())
            : Mono.error(notFound(projectId, capsuleId)));
  }

  /** Checks that every reference image is an upload of the tenant's project; a 422 naming each one that is not. */
  private Mono<Void> referencesOf(String tenantId, String projectId, StyleCapsuleRequest body) {
    List<String> ids = body.references();
    List<FieldMessage> unknown = new ArrayList<>();
    return Flux.range(0, ids.size())
        .concatMap(i -> uploads.find(tenantId, ids.get(i))
            .filter(upload -> upload.projectId().equals(projectId))
            .hasElement()
            .doOnNext(found -> {
              if (!found) {
                unknown.add(new FieldMessage("referenceIds[" + i + "]",
                    "no reference image " + ids.get(i) + " in project " + projectId));
              }
            }))
        .then(Mono.defer(() -> unknown.isEmpty() ? Mono.empty() : Mono.error(ReferenceResolver.unusable(unknown))));
  }

  private static String location(String projectId, String capsuleId) {
    return PROJECT_CAPSULES.replace("{projectId}", projectId) + "/" + capsuleId;
  }

  private static ErrorResponseException conflict(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
    problem.setTitle("Style capsule exists");
    return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
  }

  private static JobNotFoundException notFound(String projectId, String capsuleId) {
    return new JobNotFoundException("No style capsule " + capsuleId + " in project " + projectId);
  }

  private static void requireId(String name, String value) {
    if (!Ids.isValid(value)) {
      throw new InvalidInputException(name, Ids.MESSAGE);
    }
  }
}
