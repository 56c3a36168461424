package dev.imagejobs.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordedEvent;
import dev.imagejobs.gateway.readmodel.TailPage;
import dev.imagejobs.schemas.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The feed's fan-out, on an in-memory history: streams join without gaps and slow ones are ended. */
class EventFeedTest {
  private static final int MAX_BUFFERED = 3;
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private final History history = new History();
  private final CommittedEvents committed = new CommittedEvents();
  private EventFeed feed;

  @BeforeEach
  void startFeed() {
    StreamSettings settings = new StreamSettings(Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMillis(5),
        MAX_BUFFERED, Duration.ofSeconds(3), 2, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30), 100, 100);
    feed = new EventFeed(history, new JobEventNotifications(null, settings), committed, settings,
        event -> event.jobId() + "#" + event.seq());
    feed.start();
  }

  @AfterEach
  void stopFeed() {
    feed.stop();
  }

  @Test
  void givenHistoryAndLiveEventsThenAStreamGetsEachOnceInOrderAcrossPages() {
    history.commit("job-1", "p1", 1, 2, 3);
    committed.announce();

    StepVerifier.create(feed.project("t1", "p1", EventPosition.START).map(EventFeed.FeedEvent::data))
        .expectNext("job-1#1", "job-1#2", "job-1#3")
        .then(() -> {
          history.commit("job-1", "p1", 4, 5);
          committed.announce();
        })
        .expectNext("job-1#4", "job-1#5")
        .thenCancel()
        .verify(PATIENCE);
    assertThat(feed.subscriptions()).isZero();
  }

  @Test
  void givenAStreamWhoseClientReadsNothingThenItIsEndedOnceTooFarBehindWhileOthersGetEverything() {
    List<String> fast = new CopyOnWriteArrayList<>();
    feed.project("t1", "p1", EventPosition.START).map(EventFeed.FeedEvent::data).subscribe(fast::add);
    Flux<String> slow = feed.project("t1", "p1", EventPosition.START).map(EventFeed.FeedEvent::data);

    StepVerifier.create(slow, 0)
        .then(() -> {
          history.commit("job-2", "p1", 1, 2, 3, 4, 5);
          committed.announce();
        })
        .thenRequest(Long.MAX_VALUE)
        .expectNext("job-2#1", "job-2#2", "job-2#3")
        .as("ended after the events it could hold; its client resumes from job-2#3")
        .expectComplete()
        .verify(PATIENCE);
    assertThat(fast).containsExactly("job-2#1", "job-2#2", "job-2#3", "job-2#4", "job-2#5");
  }

  @Test
  void givenAJobStreamThenItEndsWithTheJobsTerminalEvent() {
    history.commit("job-3", "p1", 1);
    committed.announce();

    StepVerifier.create(feed.job("job-3", 0).map(EventFeed.FeedEvent::data))
        .expectNext("job-3#1")
        .then(() -> {
          history.commitTerminal("job-3", "p1", 2);
          committed.announce();
        })
        .expectNext("job-3#2")
        .expectComplete()
        .verify(PATIENCE);
  }

  /** Committed events, all readable at once: no database behind it. */
  private static final class History extends ReadModel {
    private final List<RecordedEvent> events = new CopyOnWriteArrayList<>();

    History() {
      super(null);
    }

    void commit(String jobId, String projectId, int... seqs) {
      for (int seq : seqs) {
        add(jobId, projectId, seq, JobStatus.PROCESSING);
      }
    }

    void commitTerminal(String jobId, String projectId, int seq) {
      add(jobId, projectId, seq, JobStatus.COMPLETED);
    }

    private void add(String jobId, String projectId, int seq, JobStatus status) {
      EventPosition position = new EventPosition(1, events.size() + 1);
      events.add(new RecordedEvent(position, jobId, "t1", projectId, seq, "JobStarted", status, "{}"));
    }

    @Override
    public Mono<TailPage> tail(EventPosition after, int limit) {
      return Flux.fromIterable(events).filter(event -> event.position().isAfter(after)).take(limit).collectList()
          .map(page -> new TailPage(page, false));
    }

    @Override
    public Mono<EventPosition> head() {
      return Mono.just(events.isEmpty() ? EventPosition.START : events.get(events.size() - 1).position());
    }

    @Override
    public Flux<RecordedEvent> eventsOfJob(String jobId, long afterSeq, EventPosition upTo, int limit) {
      return Flux.fromIterable(events)
          .filter(event -> event.jobId().equals(jobId) && event.seq() > afterSeq && !event.position().isAfter(upTo))
          .take(limit);
    }

    @Override
    public Flux<RecordedEvent> eventsOfProject(
        String tenantId, String projectId, EventPosition after, EventPosition upTo, int limit) {
      return Flux.fromIterable(events)
          .filter(event -> event.projectId().equals(projectId) && event.position().isAfter(after)
              && !event.position().isAfter(upTo))
          .take(limit);
    }
  }
}
