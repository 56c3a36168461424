package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.JobReference;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** A shot's start and end frames and the asset image keys they use, in one call. */
@RestController
@Tag(name = "jobs", description = "Image jobs")
class ShotsController {
  static final String SHOTS = "/api/v1/images/shots";

  private final ReadModel readModel;

  ShotsController(ReadModel readModel) {
    this.readModel = readModel;
  }

  @Operation(summary = "A shot's frames and the asset image keys they use", description = "Every START_FRAME and "
      + "END_FRAME job of the shot (project, scene and shot ids, any branch), newest first, and the ASSET_IMAGE_KEY "
      + "jobs their reference images name. An unknown shot has no frames.")
  @GetMapping(path = SHOTS, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ShotView> shot(Tenant tenant, @RequestParam(required = false) String projectId,
      @RequestParam(required = false) String sceneId, @RequestParam(required = false) String shotId) {
    requireId("projectId", projectId);
    requireId("sceneId", sceneId);
    requireId("shotId", shotId);
    return readModel.framesOfShot(tenant.id(), projectId, sceneId, shotId).collectList().flatMap(frames -> {
      Set<String> referenced = new LinkedHashSet<>();
      frames.forEach(frame -> frame.references().stream()
          .filter(reference -> JobReference.JOB.equals(reference.source()))
          .forEach(reference -> referenced.add(reference.id())));
      Mono<Map<String, JobRow>> jobs = referenced.isEmpty() ? Mono.just(Map.of())
          : readModel.jobsOf(tenant.id(), referenced).collectMap(JobRow::jobId, Function.identity());
      return jobs.map(byId -> new ShotView(projectId, sceneId, shotId, views(frames, "START_FRAME"),
          views(frames, "END_FRAME"), referenced.stream().map(byId::get)
              .filter(row -> row != null && "ASSET_IMAGE_KEY".equals(row.jobType()))
              .sorted(Comparator.comparing(JobRow::assetId)
                  .thenComparing(Comparator.comparing(JobRow::createdAt).reversed()))
              .map(JobView::of)
              .toList()));
    });
  }

  private static List<JobView> views(List<JobRow> frames, String jobType) {
    return frames.stream().filter(frame -> jobType.equals(frame.jobType())).map(JobView::of)
        .collect(Collectors.toList());
  }

  private static void requireId(String name, String value) {
    if (!Ids.isValid(value)) {
      throw new InvalidInputException(name, value == null ? "is required" : Ids.MESSAGE);
    }
  }
}
