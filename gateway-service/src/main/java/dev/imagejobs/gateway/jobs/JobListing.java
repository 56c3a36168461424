package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.readmodel.JobFilter;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.PagePosition;
import dev.imagejobs.gateway.readmodel.Priority;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.web.FieldMessage;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import dev.imagejobs.schemas.JobStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import reactor.core.publisher.Mono;

/**
 * Lists a tenant's jobs newest first with keyset pagination: each page continues strictly after
 * the (creation time, job id) of the previous one, so pages neither skip nor repeat jobs while new
 * ones arrive. The page and its stream position are read in one snapshot.
 */
@Component
class JobListing {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  private static final List<String> STATUSES = Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList();
  private static final List<String> JOB_TYPES = List.of(CreateJobRequest.JOB_TYPES.split("\\|"));

  private final ReadModel readModel;
  private final TransactionalOperator snapshot;

  JobListing(ReadModel readModel, ReactiveTransactionManager transactions) {
    this.readModel = readModel;
    DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
    definition.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    definition.setReadOnly(true);
    this.snapshot = TransactionalOperator.create(transactions, definition);
  }

  /**
   * @throws InvalidInputException listing every unusable parameter
   */
  Mono<JobPage> list(String tenantId, String projectId, String status, String jobType, String priority, String limit,
      String cursor) {
    List<FieldMessage> errors = new ArrayList<>();
    if (projectId != null && !Ids.isValid(projectId)) {
      errors.add(new FieldMessage("projectId", Ids.MESSAGE));
    }
    Optional<JobStatus> wantedStatus = status == null ? Optional.empty() : JobStatus.fromWireName(status);
    if (status != null && wantedStatus.isEmpty()) {
      errors.add(new FieldMessage("status", "must be one of " + String.join(", ", STATUSES)));
    }
    if (jobType != null && !JOB_TYPES.contains(jobType)) {
      errors.add(new FieldMessage("jobType", "must be one of " + String.join(", ", JOB_TYPES)));
    }
    Optional<Priority> wantedPriority = priority == null ? Optional.empty() : Priority.fromWireName(priority);
    if (priority != null && wantedPriority.isEmpty()) {
      errors.add(new FieldMessage("priority", "must be one of " + String.join(", ", Priority.WIRE_NAMES)));
    }
    int pageSize = DEFAULT_LIMIT;
    if (limit != null) {
      try {
        pageSize = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        pageSize = -1;
      }
      if (pageSize < 1 || pageSize > MAX_LIMIT) {
        errors.add(new FieldMessage("limit", "must be a whole number from 1 to " + MAX_LIMIT));
      }
    }
    PagePosition after = null;
    if (cursor != null) {
      try {
        after = ListCursor.decode(cursor);
      } catch (InvalidInputException e) {
        errors.add(new FieldMessage("cursor", "is not a cursor returned by this API"));
      }
    }
    if (!errors.isEmpty()) {
      return Mono.error(new InvalidInputException(errors));
    }
    JobFilter filter = new JobFilter(
        tenantId, projectId, wantedStatus.orElse(null), jobType, wantedPriority.orElse(null));
    int size = pageSize;
    // One row more than asked says whether another page follows.
    Mono<JobPage> page = readModel.page(filter, after, size + 1).collectList()
        .flatMap(rows -> (projectId == null ? Mono.<String>empty()
                : readModel.projectPosition(tenantId, projectId).map(EventPosition::token))
            .map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .map(position -> page(rows, size, position.orElse(null))));
    return snapshot.transactional(page);
  }

  private static JobPage page(List<JobRow> rows, int size, String position) {
    List<JobRow> items = rows.size() > size ? rows.subList(0, size) : rows;
    String next = null;
    if (rows.size() > size) {
      JobRow last = items.get(items.size() - 1);
      next = ListCursor.encode(new PagePosition(last.createdAt(), last.jobId()));
    }
    return new JobPage(items.stream().map(JobView::of).toList(), next, position);
  }
}
