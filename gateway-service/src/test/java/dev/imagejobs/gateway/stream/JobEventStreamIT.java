package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.OtherGatewayInstance;
import dev.imagejobs.gateway.testing.Tokens;
import dev.imagejobs.schemas.avro.JobStarted;
import dev.imagejobs.tokens.DevTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class JobEventStreamIT extends GatewayIntegrationTest {
  private static final ParameterizedTypeReference<ServerSentEvent<JobView>> EVENTS =
      new ParameterizedTypeReference<>() {};
  private static final Duration NOTIFIED_WITHIN = Duration.ofSeconds(10);

  @Test
  void givenJobRunningToCompletionWhenFollowedThenEveryTransitionArrivesInOrderAndTheStreamCompletes() {
    String jobId = createJobIn("stream-a", "sp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "stream-a");
    awaitOutboxDrained();

    StepVerifier.create(followJob("stream-a", jobId, null))
        .assertNext(event -> assertEvent(event, 1, "JobRequested", "queued"))
        .then(() -> publish(job.started(), job.generationStarted(1), job.imageGenerated(0), job.uploadStarted(),
            job.completed("project_sp1/branch_main/master-assets/hero_" + jobId + ".png", "ab".repeat(32), 10)))
        .assertNext(event -> assertEvent(event, 2, "JobStarted", "processing"))
        .assertNext(event -> assertEvent(event, 3, "GenerationStarted", "generating"))
        .assertNext(event -> assertEvent(event, 4, "ImageGenerated", "generated"))
        .assertNext(event -> assertEvent(event, 5, "UploadStarted", "uploading"))
        .assertNext(event -> {
          assertEvent(event, 6, "JobCompleted", "completed");
          assertThat(event.data().image().url()).isEqualTo("/api/v1/images/jobs/" + jobId + "/image");
          assertThat(event.data().image().objectUri()).as("a path on the server's disk is not shown").isNull();
        })
        .expectComplete()
        .verify(PATIENCE);
  }

  @Test
  void givenFinishedJobWhenReplayedThenEachEventShowsTheJobAsItWasThenAndAReconnectAfterTheEndGetsNoContent() {
    String jobId = createJobIn("stream-b", "sp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "stream-b");
    awaitOutboxDrained();
    publish(job.started(), job.failed("processing", "PERMANENT", "refused"));
    awaitProjectionCaughtUp();

    StepVerifier.create(followJob("stream-b", jobId, null))
        .assertNext(event -> assertEvent(event, 1, "JobRequested", "queued"))
        .assertNext(event -> {
          assertEvent(event, 2, "JobStarted", "processing");
          assertThat(event.data().startedAt()).isNotNull();
          assertThat(event.data().errorMessage()).as("not failed yet at this point").isNull();
        })
        .assertNext(event -> {
          assertEvent(event, 3, "JobFailed", "failed");
          assertThat(event.data().errorMessage()).isEqualTo("refused");
        })
        .expectComplete()
        .verify(PATIENCE);

    as("stream-b").get().uri("/api/v1/images/jobs/" + jobId + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        .header("Last-Event-ID", "3")
        .exchange()
        .expectStatus().isNoContent();
  }

  @Test
  void givenLastEventIdWhenReconnectingThenExactlyTheLaterEventsArriveThenLiveOnes() {
    String jobId = createJobIn("stream-c", "sp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "stream-c");
    awaitOutboxDrained();
    publish(job.started(), job.generationStarted(1), job.attemptFailed("TEMPORARY"));
    awaitProjectionCaughtUp();

    StepVerifier.create(followJob("stream-c", jobId, "2"))
        .assertNext(event -> assertEvent(event, 3, "GenerationStarted", "generating"))
        .assertNext(event -> assertEvent(event, 4, "GenerationAttemptFailed", "generating"))
        .then(() -> publish(job.generationStarted(2)))
        .assertNext(event -> {
          assertEvent(event, 5, "GenerationStarted", "generating");
          assertThat(event.data().attemptCount()).isEqualTo(2);
        })
        .thenCancel()
        .verify(PATIENCE);

    // A first connection can continue from a list's position with ?lastEventId=.
    StepVerifier.create(follow("stream-c", "/api/v1/images/jobs/" + jobId + "/events?lastEventId=4", null))
        .assertNext(event -> assertEvent(event, 5, "GenerationStarted", "generating"))
        .thenCancel()
        .verify(PATIENCE);
  }

  @Test
  void givenProjectStreamThenAllItsJobsArriveInPositionOrderAndResumingMissesAndRepeatsNothing() {
    String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
    String first = createJobIn("stream-d", project);
    String second = createJobIn("stream-d", project);
    createJobIn("stream-other", project);
    LifecycleEvents a = LifecycleEvents.forJob(first, "stream-d");
    LifecycleEvents b = LifecycleEvents.forJob(second, "stream-d");
    awaitOutboxDrained();
    publish(a.started(), b.started(), a.generationStarted(1), b.cancelRequested(), b.canceled("processing"));
    awaitProjectionCaughtUp();

    List<ServerSentEvent<JobView>> all = followProject("stream-d", project, null).take(7).collectList().block(PATIENCE);
    assertThat(all).extracting(event -> event.data().jobId())
        .as("the other tenant's job in a project of the same name is not there")
        .containsOnly(first, second);
    // Each job's events in its own order; the two jobs' events interleave as the projection committed them.
    assertThat(all).filteredOn(event -> event.data().jobId().equals(first)).extracting(ServerSentEvent::event)
        .containsExactly("JobRequested", "JobStarted", "GenerationStarted");
    assertThat(all).filteredOn(event -> event.data().jobId().equals(second)).extracting(ServerSentEvent::event)
        .containsExactly("JobRequested", "JobStarted", "JobCancelRequested", "JobCanceled");
    List<EventPosition> ids = all.stream().map(event -> EventPosition.parse(event.id()).orElseThrow()).toList();
    assertThat(ids).isSortedAccordingTo(EventPosition::compareTo).doesNotHaveDuplicates();

    String resumeAfter = all.get(3).id();
    StepVerifier.create(followProject("stream-d", project, resumeAfter))
        .assertNext(event -> assertThat(event.id()).isEqualTo(all.get(4).id()))
        .assertNext(event -> assertThat(event.id()).isEqualTo(all.get(5).id()))
        .assertNext(event -> {
          assertThat(event.id()).isEqualTo(all.get(6).id());
          assertThat(event.data()).isEqualTo(all.get(6).data());
        })
        .then(() -> publish(a.imageGenerated(0)))
        .assertNext(event -> {
          assertThat(EventPosition.parse(event.id()).orElseThrow()).isGreaterThan(ids.get(6));
          assertThat(event.event()).isEqualTo("ImageGenerated");
          assertThat(event.data().jobId()).isEqualTo(first);
        })
        .thenCancel()
        .verify(PATIENCE);
  }

  @Test
  void givenEventCommittedByAnotherGatewayInstanceThenOpenStreamsGetItThroughNotify() {
    String jobId = createJobIn("stream-e", "sp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "stream-e");
    awaitOutboxDrained();
    awaitProjectionCaughtUp();
    JobStarted started = job.started();

    try (OtherGatewayInstance other = new OtherGatewayInstance()) {
      // Re-reads without a notification happen every 5 minutes here, so arriving in seconds proves NOTIFY.
      StepVerifier.create(followJob("stream-e", jobId, null))
          .assertNext(event -> assertEvent(event, 1, "JobRequested", "queued"))
          .then(() -> other.apply(started, null))
          .assertNext(event -> assertEvent(event, 2, "JobStarted", "processing"))
          .thenCancel()
          .verify(NOTIFIED_WITHIN);
    }
    // What the other instance applied came from the topic, where this instance finds it again.
    publish(started);
    awaitProjectionCaughtUp();
    assertThat(history(jobId)).hasSize(2);
  }

  @Test
  void givenTheNotificationConnectionDiesThenItReconnectsAndTheStreamMissesNothing() {
    String jobId = createJobIn("stream-f", "sp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "stream-f");
    awaitOutboxDrained();
    awaitProjectionCaughtUp();
    JobStarted started = job.started();
    List<ServerSentEvent<JobView>> received = new CopyOnWriteArrayList<>();
    Disposable subscription = followJob("stream-f", jobId, null).subscribe(received::add);
    try (OtherGatewayInstance other = new OtherGatewayInstance()) {
      await().atMost(PATIENCE).until(() -> received.size() == 1);
      await().atMost(PATIENCE).until(() -> listenerConnections() == 1);

      assertThat(terminateListener()).as("the listener connection was there to kill").isEqualTo(1);
      other.apply(started, null);

      await().atMost(NOTIFIED_WITHIN).untilAsserted(() ->
          assertThat(received).extracting(ServerSentEvent::id).containsExactly("1", "2"));
      await().atMost(PATIENCE).until(() -> listenerConnections() == 1);
    } finally {
      subscription.dispose();
    }
    publish(started);
    awaitProjectionCaughtUp();
  }

  @Test
  void givenIdleStreamThenItOpensWithARetryHintAndSendsHeartbeatComments() {
    FluxExchangeResult<ServerSentEvent<JobView>> result = as("stream-g").get()
        .uri("/api/v1/images/events?projectId=quiet-project")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
        .returnResult(EVENTS);

    List<ServerSentEvent<JobView>> first = result.getResponseBody().take(3).collectList().block(PATIENCE);
    assertThat(first.get(0).comment()).isEqualTo("stream open");
    assertThat(first.get(0).retry()).isEqualTo(Duration.ofSeconds(3));
    assertThat(first.subList(1, 3)).extracting(ServerSentEvent::comment).containsOnly("heartbeat");
    assertThat(first).extracting(ServerSentEvent::data).containsOnlyNulls();
  }

  @Test
  void givenAnotherTenantsJobOrBadInputThenTheStreamIsRefusedWithAProblem() {
    String jobId = createJobIn("stream-h", "sp1");

    as("stream-intruder").get().uri("/api/v1/images/jobs/" + jobId + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    as("stream-h").get().uri("/api/v1/images/jobs/" + jobId + "/events").accept(MediaType.TEXT_EVENT_STREAM)
        .header("Last-Event-ID", "not-a-number")
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("Last-Event-ID");
    as("stream-h").get().uri("/api/v1/images/events").accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.errors[0].field").isEqualTo("projectId");
  }

  @Test
  void givenTokenInTheQueryThenOnlyEventStreamsAcceptIt() {
    String jobId = createJobIn("stream-i", "sp1");
    String token = Tokens.of("stream-i");

    StepVerifier.create(events(http.mutate().responseTimeout(PATIENCE).build().get()
            .uri("/api/v1/images/jobs/" + jobId + "/events?access_token=" + token)
            .accept(MediaType.TEXT_EVENT_STREAM)
            .exchange()
            .expectStatus().isOk()
            .returnResult(EVENTS)))
        .assertNext(event -> assertEvent(event, 1, "JobRequested", "queued"))
        .thenCancel()
        .verify(PATIENCE);
    http.get().uri("/api/v1/images/jobs/" + jobId + "?access_token=" + token).exchange()
        .expectStatus().isUnauthorized();
  }

  private String createJobIn(String tenant, String project) {
    String location = as(tenant).post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero",
             "prompt":"A lighthouse at dusk","aspectRatio":"16:9"}""".formatted(project))
        .exchange()
        .expectStatus().isAccepted()
        .returnResult(String.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    return location.substring(location.lastIndexOf('/') + 1);
  }

  @Test
  void givenTokenThatExpiresWhileFollowingThenTheStreamEndsSayingSoAndTheTokenIsRefusedAfterwards() {
    String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
    // The gateway accepts a token up to 60 s after its exp: this one for about 3 more seconds.
    String token = DevTokens.mint(Tokens.SECRET, "tenant", "stream-exp", Duration.ofSeconds(3),
        Instant.now().minusSeconds(60));
    WebTestClient client = http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .responseTimeout(PATIENCE).build();

    List<ServerSentEvent<JobView>> received = client.get().uri("/api/v1/images/events?projectId=" + project)
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(EVENTS).getResponseBody()
        .collectList()
        .block(PATIENCE);

    assertThat(received).isNotNull();
    assertThat(received.get(received.size() - 1).comment()).isEqualTo("token expired");
    client.get().uri("/api/v1/images/events?projectId=" + project).accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isUnauthorized();
  }

  @Test
  void givenATenantWithAsManyStreamsOpenAsAllowedThenItsNextStreamIsRefusedWith429UntilOneCloses() {
    String project = "proj-" + UUID.randomUUID().toString().substring(0, 8);
    String uri = "/api/v1/images/events?projectId=" + project;
    List<Disposable> streams = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_STREAMS_PER_TENANT; i++) {
        streams.add(as("stream-cap").get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM)
            .exchange().expectStatus().isOk().returnResult(EVENTS).getResponseBody().subscribe());
      }

      as("stream-cap").get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange()
          .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
          .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().exists(HttpHeaders.RETRY_AFTER)
          .expectBody().jsonPath("$.title").isEqualTo("Too many event streams");
      as("stream-cap-other").get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange()
          .expectStatus().isOk().returnResult(EVENTS).getResponseBody().subscribe().dispose();

      streams.remove(0).dispose();
      await().atMost(PATIENCE).until(() -> as("stream-cap").get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM)
          .exchange().returnResult(EVENTS).getStatus(), HttpStatus.OK::equals);
    } finally {
      streams.forEach(Disposable::dispose);
    }
  }

  private Flux<ServerSentEvent<JobView>> followJob(String tenant, String jobId, String lastEventId) {
    return follow(tenant, "/api/v1/images/jobs/" + jobId + "/events", lastEventId);
  }

  private Flux<ServerSentEvent<JobView>> followProject(String tenant, String projectId, String lastEventId) {
    return follow(tenant, "/api/v1/images/events?projectId=" + projectId, lastEventId);
  }

  /** The stream's events without comments, delivered off the HTTP client's threads so steps may block. */
  private Flux<ServerSentEvent<JobView>> follow(String tenant, String uri, String lastEventId) {
    return Flux.defer(() -> {
      var request = as(tenant).get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM);
      if (lastEventId != null) {
        request = request.header("Last-Event-ID", lastEventId);
      }
      return events(request.exchange().expectStatus().isOk().returnResult(EVENTS));
    });
  }

  private static Flux<ServerSentEvent<JobView>> events(FluxExchangeResult<ServerSentEvent<JobView>> result) {
    return result.getResponseBody().filter(event -> event.event() != null).publishOn(Schedulers.boundedElastic());
  }

  private static void assertEvent(ServerSentEvent<JobView> event, int id, String type, String status) {
    assertThat(event.id()).isEqualTo(Integer.toString(id));
    assertThat(event.event()).isEqualTo(type);
    assertThat(event.data().status()).isEqualTo(status);
    assertThat(event.data().eventSeq()).isEqualTo(id);
  }

  private int terminateListener() {
    return jdbc().queryForObject("""
        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?""",
        Integer.class, StreamConfiguration.LISTENER_APPLICATION_NAME);
  }

  private int listenerConnections() {
    return jdbc().queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?",
        Integer.class, StreamConfiguration.LISTENER_APPLICATION_NAME);
  }
}
