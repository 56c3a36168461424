package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.jobs.JobView;
import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;

/** The event feed reads each event once and fans it out in memory, whatever the number of streams. */
class EventFeedIT extends GatewayIntegrationTest {
  private static final ParameterizedTypeReference<ServerSentEvent<JobView>> EVENTS =
      new ParameterizedTypeReference<>() {};
  private static final int STREAMS = 40;

  @Autowired
  private EventFeed feed;

  @Test
  void givenManyStreamsOfAProjectThenEachGetsEveryEventInOrderAndTheFeedReadsNoMoreForThem() {
    String project = "feed-" + UUID.randomUUID().toString().substring(0, 8);
    List<List<ServerSentEvent<JobView>>> received = new ArrayList<>();
    List<Disposable> streams = new ArrayList<>();
    List<CompletableFuture<Void>> opened = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      List<ServerSentEvent<JobView>> events = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> open = new CompletableFuture<>();
      received.add(events);
      opened.add(open);
      streams.add(as("feed-a").get().uri("/api/v1/images/events?projectId=" + project)
          .accept(MediaType.TEXT_EVENT_STREAM)
          .exchange().expectStatus().isOk().returnResult(EVENTS).getResponseBody()
          .doOnNext(event -> open.complete(null))
          .filter(event -> event.event() != null)
          .subscribe(events::add));
    }
    CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).join();
    try {
      int readsBefore = feed.reads();
      String jobId = createJob(project);
      LifecycleEvents job = LifecycleEvents.forJob(jobId, "feed-a");
      awaitOutboxDrained();
      publish(job.started(), job.generationStarted(1), job.imageGenerated(0), job.uploadStarted());

      org.awaitility.Awaitility.await().atMost(PATIENCE).until(
          () -> received.stream().allMatch(events -> events.size() == 5));
      List<String> ids = received.get(0).stream().map(ServerSentEvent::id).toList();
      assertThat(received.get(0)).extracting(ServerSentEvent::event).containsExactly(
          "JobRequested", "JobStarted", "GenerationStarted", "ImageGenerated", "UploadStarted");
      for (List<ServerSentEvent<JobView>> events : received) {
        assertThat(events).extracting(ServerSentEvent::id).as("same events, same ids, same order").isEqualTo(ids);
      }
      assertThat(feed.reads() - readsBefore)
          .as("reads of the history for 5 events sent to %d streams", STREAMS)
          .isLessThan(STREAMS);
    } finally {
      streams.forEach(Disposable::dispose);
    }
  }

  private String createJob(String project) {
    String location = as("feed-a").post().uri("/api/v1/images/jobs")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero",
             "prompt":"A lighthouse at dusk","aspectRatio":"16:9"}""".formatted(project))
        .exchange()
        .expectStatus().isAccepted()
        .returnResult(String.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
