package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.idempotency.StoredResponse;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers requests that prefer to wait for their job to end ({@code Prefer: wait=N}, RFC 7240): the
 * answer is held back, without a thread, until the job has ended or the granted wait has passed,
 * and carries {@code Preference-Applied}. The status says which: a job that ended is {@code 200}
 * ({@code 201} for its creation), one still running after the wait {@code 202}.
 */
@Component
class JobWaits {
  private final JobEnds ends;
  private final ReadModel readModel;
  private final JobsSettings settings;
  private final JsonMapper json;

  JobWaits(JobEnds ends, ReadModel readModel, JobsSettings settings, JsonMapper json) {
    this.ends = ends;
    this.readModel = readModel;
    this.settings = settings;
    this.json = json;
  }

  /** The wait the {@code Prefer} headers ask for, capped; empty when they ask for none. */
  Optional<PreferWait> preference(List<String> preferHeaders) {
    return PreferWait.of(preferHeaders, settings.maxPreferWait());
  }

  /** The job's view, after waiting for it to end when {@code wait} is given. */
  Mono<ResponseEntity<JobView>> view(JobRow row, Optional<PreferWait> wait) {
    if (wait.isEmpty()) {
      return Mono.just(ResponseEntity.ok(JobView.of(row)));
    }
    return ended(row, wait.get()).map(now -> ResponseEntity.status(now.status().isTerminal() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .header(PreferWait.PREFERENCE_APPLIED, wait.get().preferenceApplied())
        .body(JobView.of(now)));
  }

  /**
   * The answer to a creation, after waiting for the new job to end when {@code wait} is given and
   * the creation was accepted: {@code 201} with the ended job, or the {@code 202} as it was.
   */
  Mono<ResponseEntity<String>> created(StoredResponse stored, ResponseEntity<String> answer, String tenantId,
      Optional<PreferWait> wait) {
    if (wait.isEmpty() || stored.status() != HttpStatus.ACCEPTED.value() || stored.location() == null) {
      return Mono.just(answer);
    }
    String jobId = stored.location().substring(stored.location().lastIndexOf('/') + 1);
    return readModel.find(jobId)
        .filter(row -> row.tenantId().equals(tenantId))
        .flatMap(row -> ended(row, wait.get()))
        .map(now -> {
          // The creation's own headers (Location, Content-Type, Idempotent-Replayed) stay.
          HttpHeaders headers = new HttpHeaders();
          headers.addAll(answer.getHeaders());
          headers.set(PreferWait.PREFERENCE_APPLIED, wait.get().preferenceApplied());
          return now.status().isTerminal()
              ? ResponseEntity.status(HttpStatus.CREATED).headers(headers).body(json.writeValueAsString(JobView.of(now)))
              : ResponseEntity.status(answer.getStatusCode()).headers(headers).body(answer.getBody());
        })
        .defaultIfEmpty(answer);
  }

  /** The row once the job has ended or the wait has passed. */
  private Mono<JobRow> ended(JobRow row, PreferWait wait) {
    if (row.status().isTerminal() || wait.applied().isZero()) {
      return Mono.just(row);
    }
    return ends.awaitEnd(row.tenantId(), row.jobId(), row.lastEventSeq(), wait.applied())
        .flatMap(ended -> ended ? readModel.find(row.jobId()).defaultIfEmpty(row) : Mono.just(row));
  }
}
