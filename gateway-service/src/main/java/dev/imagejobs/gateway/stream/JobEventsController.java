package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.jobs.JobNotFoundException;
import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.readmodel.JobRow;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.security.Tenant;
import dev.imagejobs.gateway.security.TokenExpiry;
import dev.imagejobs.gateway.web.Ids;
import dev.imagejobs.gateway.web.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashSet;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code text/event-stream} of a job, of a batch and of a project: each event has {@code id} (the resume
 * position), {@code event} (the lifecycle event type) and {@code data} (the {@link JobView} right
 * after it, as JSON). These routes, and only these, also take the token as {@code access_token} in the query,
 * since {@code EventSource} cannot send headers.
 */
@RestController
@Tag(name = "events", description = "Live job status")
class JobEventsController {
  /** Stops buffering proxies (nginx) from holding events back. */
  private static final String NO_PROXY_BUFFERING = "X-Accel-Buffering";

  private final ReadModel readModel;
  private final JobEventStreams streams;

  JobEventsController(ReadModel readModel, JobEventStreams streams) {
    this.readModel = readModel;
    this.streams = streams;
  }

  @Operation(summary = "Follow one job", description = "Replays the job's events from the beginning or after "
      + "Last-Event-ID (id = the job's event sequence), then streams new ones, and completes after a terminal "
      + "status. 204 when the job has ended and the client has seen its last event. Ends when the token "
      + "expires (a 'token expired' comment): reconnect with a fresh token and Last-Event-ID.",
      parameters = @Parameter(name = "access_token", in = ParameterIn.QUERY,
          description = "The bearer token, for clients that cannot send an Authorization header"))
  @ApiResponse(responseCode = "200", description = "The event stream")
  @ApiResponse(responseCode = "429", description = "The tenant, or this gateway instance, has as many event "
      + "streams open as allowed; try again after Retry-After")
  @ApiResponse(responseCode = "204", description = "Nothing more will happen to this job")
  @GetMapping(path = "/api/v1/images/jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> job(
      @PathVariable String jobId,
      Tenant tenant,
      TokenExpiry expiry,
      @RequestHeader(name = LastEventId.HEADER, required = false) String lastEventId,
      @RequestParam(name = LastEventId.PARAMETER, required = false) String lastEventIdParameter) {
    if (!Ids.isValid(jobId)) {
      return Mono.error(new InvalidInputException("jobId", Ids.MESSAGE));
    }
    long after = LastEventId.jobEventAfter(lastEventId, lastEventIdParameter);
    return readModel.find(jobId)
        .filter(row -> row.tenantId().equals(tenant.id()))
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No job " + jobId)))
        .map(row -> row.status().isTerminal() && row.lastEventSeq() <= after
            // EventSource reconnects after a stream ends; 204 tells it to stop.
            ? ResponseEntity.noContent().<Flux<ServerSentEvent<String>>>build()
            : ResponseEntity.ok().header(NO_PROXY_BUFFERING, "no").body(streams.ofJob(tenant.id(), jobId, after, expiry)));
  }

  @Operation(summary = "Follow every job of a batch", description = "Replays the events of the batch's jobs "
      + "from the beginning or after Last-Event-ID (id = an opaque position, as in a project stream), then streams "
      + "new ones, and completes once every job of the batch has ended. 204 when they all have and the client has "
      + "seen their last events. Ends early when the token expires (a 'token expired' comment): reconnect with a "
      + "fresh token and Last-Event-ID.",
      parameters = @Parameter(name = "access_token", in = ParameterIn.QUERY,
          description = "The bearer token, for clients that cannot send an Authorization header"))
  @ApiResponse(responseCode = "200", description = "The event stream")
  @ApiResponse(responseCode = "204", description = "Every job of the batch has ended and the client has seen it")
  @ApiResponse(responseCode = "404", description = "No such batch for this tenant")
  @ApiResponse(responseCode = "429", description = "The tenant, or this gateway instance, has as many event "
      + "streams open as allowed; try again after Retry-After")
  @GetMapping(path = "/api/v1/images/batches/{batchId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> batch(
      @PathVariable String batchId,
      Tenant tenant,
      TokenExpiry expiry,
      @RequestHeader(name = LastEventId.HEADER, required = false) String lastEventId,
      @RequestParam(name = LastEventId.PARAMETER, required = false) String lastEventIdParameter) {
    if (!Ids.isValid(batchId)) {
      return Mono.error(new InvalidInputException("batchId", Ids.MESSAGE));
    }
    EventPosition after = LastEventId.positionAfter(lastEventId, lastEventIdParameter);
    return readModel.jobsOfBatch(tenant.id(), batchId)
        .map(JobRow::jobId)
        .collect(Collectors.toCollection(LinkedHashSet<String>::new))
        .filter(jobIds -> !jobIds.isEmpty())
        .switchIfEmpty(Mono.error(() -> new JobNotFoundException("No batch " + batchId)))
        .flatMap(jobIds -> readModel.latestEventsOf(jobIds)
            .all(latest -> latest.statusAfter().isTerminal() && !latest.position().isAfter(after))
            .map(seen -> seen
                // EventSource reconnects after a stream ends; 204 tells it to stop.
                ? ResponseEntity.noContent().<Flux<ServerSentEvent<String>>>build()
                : ResponseEntity.ok().header(NO_PROXY_BUFFERING, "no")
                    .body(streams.ofBatch(tenant.id(), jobIds, after, expiry))));
  }

  @Operation(summary = "Follow every job of a project", description = "Replays the project's events from the "
      + "beginning or after Last-Event-ID (id = an opaque position ordered across all the project's jobs, to "
      + "pass back as it was sent), then streams new ones; ends only when the token expires (a 'token expired' "
      + "comment): reconnect with a fresh token and Last-Event-ID.",
      parameters = @Parameter(name = "access_token", in = ParameterIn.QUERY,
          description = "The bearer token, for clients that cannot send an Authorization header"))
  @ApiResponse(responseCode = "200", description = "The event stream")
  @ApiResponse(responseCode = "429", description = "The tenant, or this gateway instance, has as many event "
      + "streams open as allowed; try again after Retry-After")
  @GetMapping(path = "/api/v1/images/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  ResponseEntity<Flux<ServerSentEvent<String>>> project(
      Tenant tenant,
      TokenExpiry expiry,
      @RequestParam(required = false) String projectId,
      @RequestHeader(name = LastEventId.HEADER, required = false) String lastEventId,
      @RequestParam(name = LastEventId.PARAMETER, required = false) String lastEventIdParameter) {
    if (!Ids.isValid(projectId)) {
      throw new InvalidInputException("projectId", projectId == null ? "is required" : Ids.MESSAGE);
    }
    EventPosition after = LastEventId.positionAfter(lastEventId, lastEventIdParameter);
    return ResponseEntity.ok().header(NO_PROXY_BUFFERING, "no").body(streams.ofProject(tenant.id(), projectId, after, expiry));
  }
}
