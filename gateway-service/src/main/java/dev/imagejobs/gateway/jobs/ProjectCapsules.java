package dev.imagejobs.gateway.jobs;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The style capsules of projects: every change writes a new version and no version is ever changed,
 * so a job's recorded version always means the same text and images. A deleted capsule's versions
 * are kept, hidden from new jobs; a capsule created again with the same id continues its numbering.
 */
@Component
class ProjectCapsules {
  private static final String COLUMNS = "capsule_id, project_id, version, style_text, reference_ids, created_at";
  private static final String NEXT_VERSION = "coalesce((SELECT max(version) FROM style_capsules WHERE tenant_id ="
      + " :tenant AND project_id = :project AND capsule_id = :capsule), 0) + 1";
  private static final String LIVE = "EXISTS (SELECT FROM style_capsules WHERE tenant_id = :tenant AND project_id ="
      + " :project AND capsule_id = :capsule AND deleted_at IS NULL)";

  private final DatabaseClient db;

  ProjectCapsules(DatabaseClient db) {
    this.db = db;
  }

  /** The capsule's latest version, unless it was deleted. */
  Mono<CapsuleVersion> latest(String tenantId, String projectId, String capsuleId) {
    return db.sql("SELECT " + COLUMNS + " FROM style_capsules WHERE tenant_id = :tenant AND project_id = :project"
            + " AND capsule_id = :capsule AND deleted_at IS NULL ORDER BY version DESC LIMIT 1")
        .bind("tenant", tenantId).bind("project", projectId).bind("capsule", capsuleId)
        .map(ProjectCapsules::read)
        .one();
  }

  /** The project's capsules that are not deleted, each at its latest version, by id. */
  Flux<CapsuleVersion> list(String tenantId, String projectId) {
    return db.sql("SELECT DISTINCT ON (capsule_id) " + COLUMNS + " FROM style_capsules WHERE tenant_id = :tenant"
            + " AND project_id = :project AND deleted_at IS NULL ORDER BY capsule_id, version DESC")
        .bind("tenant", tenantId).bind("project", projectId)
        .map(ProjectCapsules::read)
        .all();
  }

  /** Writes version 1 (or the next after a deleted one's); empty when a capsule of that id exists. */
  Mono<CapsuleVersion> create(String tenantId, String projectId, String capsuleId, String styleText,
      List<String> referenceIds) {
    return write("NOT " + LIVE, tenantId, projectId, capsuleId, styleText, referenceIds);
  }

  /** Writes the capsule's next version; empty when there is no such capsule. */
  Mono<CapsuleVersion> update(String tenantId, String projectId, String capsuleId, String styleText,
      List<String> referenceIds) {
    return write(LIVE, tenantId, projectId, capsuleId, styleText, referenceIds);
  }

  /** Hides the capsule from new jobs; false when there is no such capsule. */
  Mono<Boolean> delete(String tenantId, String projectId, String capsuleId) {
    return db.sql("UPDATE style_capsules SET deleted_at = now() WHERE tenant_id = :tenant AND project_id = :project"
            + " AND capsule_id = :capsule AND deleted_at IS NULL")
        .bind("tenant", tenantId).bind("project", projectId).bind("capsule", capsuleId)
        .fetch().rowsUpdated()
        .map(updated -> updated > 0);
  }

  private Mono<CapsuleVersion> write(String condition, String tenantId, String projectId, String capsuleId,
      String styleText, List<String> referenceIds) {
    return db.sql("INSERT INTO style_capsules (tenant_id, project_id, capsule_id, version, style_text, reference_ids)"
            + " SELECT :tenant, :project, :capsule, " + NEXT_VERSION + ", :text, :refs WHERE " + condition
            + " RETURNING " + COLUMNS)
        .bind("tenant", tenantId).bind("project", projectId).bind("capsule", capsuleId)
        .bind("text", styleText).bind("refs", referenceIds.toArray(String[]::new))
        .map(ProjectCapsules::read)
        .one()
        .onErrorMap(DuplicateKeyException.class, raced -> {
          ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
              "Style capsule " + capsuleId + " was changed at the same time; read it and try again");
          problem.setTitle("Concurrent change");
          return new ErrorResponseException(HttpStatus.CONFLICT, problem, raced);
        });
  }

  private static CapsuleVersion read(Readable row) {
    return new CapsuleVersion(row.get("capsule_id", String.class), row.get("project_id", String.class),
        row.get("version", Integer.class), row.get("style_text", String.class),
        Arrays.asList(row.get("reference_ids", String[].class)),
        row.get("created_at", OffsetDateTime.class).toInstant());
  }

  /**
   * One version of a project's capsule.
   *
   * @param referenceIds the uploaded reference images sent with every job that uses it, in order
   */
  record CapsuleVersion(String capsuleId, String projectId, int version, String styleText, List<String> referenceIds,
      Instant createdAt) {}
}
