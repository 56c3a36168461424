package dev.imagejobs.gateway.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.gateway.testing.GatewayIntegrationTest;
import dev.imagejobs.gateway.testing.LifecycleEvents;
import dev.imagejobs.gateway.testing.OtherGatewayInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Event positions without a global lock: a reader never passes a position below which a committed
 * event could still appear, and a job's events are in position order, whatever the concurrency
 * of writers (creations, commands, projection batches of several instances).
 */
class EventPositionIT extends GatewayIntegrationTest {
  private static final Duration SHORT = Duration.ofSeconds(30);

  @Autowired
  private ReadModel readModel;

  @Test
  void givenAnOlderTransactionStillRunningWhenANewerOneCommitsThenReadersSeeNeitherUntilTheOlderEnds() {
    EventPosition start = readModel.head().block(SHORT);
    LifecycleEvents older = LifecycleEvents.aJob("position-a");
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (OtherGatewayInstance otherInstance = new OtherGatewayInstance()) {
      CompletableFuture<ApplyOutcome> olderCommit = otherInstance.applyLater(older.requested(), release);
      String newer = createJobIn("position-a", "pp1");

      assertThat(jdbc().queryForObject("SELECT count(*) FROM job_events WHERE job_id = ?", Long.class, newer))
          .as("the newer transaction has committed").isOne();
      TailPage whileOlderRuns = readModel.tail(start, 1000).block(SHORT);
      assertThat(whileOlderRuns.events())
          .as("nothing after the older transaction's id is readable while it runs")
          .extracting(RecordedEvent::jobId).doesNotContain(newer, older.jobId());
      assertThat(whileOlderRuns.heldBack()).as("the newer event is held back").isTrue();

      release.complete(null);
      assertThat(olderCommit.join().result()).isEqualTo(ApplyOutcome.Result.APPLIED);
      List<String> readable = readModel.tail(start, 1000).block(SHORT).events().stream()
          .map(RecordedEvent::jobId).filter(job -> job.equals(newer) || job.equals(older.jobId())).toList();
      assertThat(readable).as("the older transaction's event comes first, though it committed last")
          .containsExactly(older.jobId(), newer);
    }
  }

  @Test
  void givenAnOlderTransactionWritingAJobAfterANewerOneDidThenItStartsAgainAndTheJobsEventsStayInPositionOrder() {
    String jobId = createJobIn("position-b", "pp1");
    LifecycleEvents job = LifecycleEvents.forJob(jobId, "position-b");
    awaitOutboxDrained();
    CompletableFuture<Void> release = new CompletableFuture<>();
    try (OtherGatewayInstance otherInstance = new OtherGatewayInstance()) {
      CompletableFuture<ApplyOutcome> olderCommit = otherInstance.applyLater(job.started(), release);
      as("position-b").post().uri("/api/v1/images/jobs/" + jobId + "/cancel").exchange()
          .expectStatus().isAccepted();

      release.complete(null);
      assertThat(olderCommit.join().result()).isEqualTo(ApplyOutcome.Result.APPLIED);
    }

    List<Map<String, Object>> history = history(jobId);
    assertThat(history).extracting(row -> row.get("event_type"))
        .containsExactly("JobRequested", "JobCancelRequested", "JobStarted");
    assertThat(history).extracting(EventPositionIT::position)
        .as("positions follow the job's own order").isSortedAccordingTo(Comparator.naturalOrder());
  }

  @Test
  void givenCreationsAndProjectionBatchesRacingThenAReaderFollowingPositionsGetsEveryEventOnceAndInOrder()
      throws Exception {
    EventPosition start = readModel.head().block(SHORT);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      EventPosition position = start;
      while (writing.get()) {
        for (RecordedEvent event : readModel.tail(position, 50).block(SHORT).events()) {
          seen.add(event);
          position = event.position();
        }
      }
    });
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String tenant = "position-c" + t;
        done.add(writers.submit(() -> {
          for (int i = 0; i < 20; i++) {
            String jobId = createJobIn(tenant, "pp" + (i % 3));
            LifecycleEvents job = LifecycleEvents.forJob(jobId, tenant);
            publish(job.started(), job.generationStarted(1));
          }
        }));
      }
      for (Future<?> writer : done) {
        writer.get();
      }
      awaitOutboxDrained();
      awaitProjectionCaughtUp();
      await().atMost(SHORT).until(() -> !readModel.tail(lastOf(seen, start), 1).block(SHORT).heldBack());
    } finally {
      writers.shutdownNow();
      writing.set(false);
    }
    reader.get();
    EventPosition last = lastOf(seen, start);
    seen.addAll(readModel.tail(last, 10_000).block(SHORT).events());

    List<Map<String, Object>> committed = jdbc().queryForList("""
        SELECT job_id, seq, tx_id, global_seq FROM job_events WHERE (tx_id, global_seq) > (?, ?)
        ORDER BY tx_id, global_seq""", start.txId(), start.seq());
    assertThat(seen).extracting(event -> event.jobId() + "#" + event.seq())
        .as("every committed event, once, in position order")
        .containsExactlyElementsOf(committed.stream().map(row -> row.get("job_id") + "#" + row.get("seq")).toList());
    Map<String, Integer> lastSeq = new HashMap<>();
    for (RecordedEvent event : seen) {
      Integer previous = lastSeq.put(event.jobId(), event.seq());
      assertThat(event.seq()).as("job %s in its own order", event.jobId()).isEqualTo(previous == null ? 1 : previous + 1);
    }
    assertThat(seen.stream().filter(event -> event.tenantId().startsWith("position-c")).count())
        .as("80 jobs of three events").isEqualTo(240);
  }

  private static EventPosition lastOf(List<RecordedEvent> seen, EventPosition start) {
    return seen.isEmpty() ? start : seen.get(seen.size() - 1).position();
  }

  private static EventPosition position(Map<String, Object> row) {
    return new EventPosition(((Number) row.get("tx_id")).longValue(), ((Number) row.get("global_seq")).longValue());
  }

  private String createJobIn(String tenant, String project) {
    String location = as(tenant).post().uri("/api/v1/images/jobs")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue("""
            {"jobType":"ASSET_IMAGE_KEY","projectId":"%s","branchId":"main","assetId":"hero-%s",
             "prompt":"A lighthouse at dusk","aspectRatio":"16:9"}""".formatted(project, UUID.randomUUID()))
        .exchange()
        .expectStatus().isAccepted()
        .returnResult(String.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
