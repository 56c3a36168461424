package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.messaging.testing.TopicRecords;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.avro.JobCancelRequested;
import dev.imagejobs.schemas.avro.JobRequested;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleDispatcherTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] GARBAGE = "definitely not avro".getBytes(StandardCharsets.UTF_8);

  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final TopicRecords topic = new TopicRecords();
  private final Map<ConsumerRecord<byte[], byte[]>, Exception> deadLettered = new ConcurrentHashMap<>();
  /** The work of each request, in the order it was started; each completes when the test says so. */
  private final List<Started> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void givenTwoRecordsOfOneJob_whenDispatched_thenTheSecondStartsOnlyOnceTheFirstIsDoneWhileOtherJobsGoOn() {
    LifecycleDispatcher dispatcher = heldRequests().build();
    JobRequested first = Events.aJobRequested("job-a");

    CompletableFuture<Void> firstDone = dispatcher.handle(topic.of(first));
    CompletableFuture<Void> secondDone = dispatcher.handle(topic.of(Events.aJobRequested("job-a")));
    CompletableFuture<Void> otherDone = dispatcher.handle(topic.of(Events.aJobRequested("job-b")));

    assertThat(started).extracting(Started::jobId).containsExactly("job-a", "job-b");
    started.get(1).work().complete(null);
    assertThat(otherDone).isCompleted();
    assertThat(secondDone).isNotDone();

    started.get(0).work().complete(null);

    assertThat(firstDone).isCompleted();
    assertThat(started).extracting(Started::jobId).containsExactly("job-a", "job-b", "job-a");
    started.get(2).work().complete(null);
    assertThat(secondDone).isCompleted();
    assertThat(dispatcher.jobsInHand()).isZero();
  }

  @Test
  void givenWorkRegisteredAtOnce_whenTheJobHasWorkInHand_thenItStartsWithoutWaiting() {
    AtomicInteger cancels = new AtomicInteger();
    LifecycleDispatcher dispatcher = heldRequests()
        .atOnce(JobCancelRequested.class, cancel -> {
          cancels.incrementAndGet();
          return CompletableFuture.completedFuture(null);
        })
        .build();

    CompletableFuture<Void> run = dispatcher.handle(topic.of(Events.aJobRequested("job-c")));
    CompletableFuture<Void> cancel = dispatcher.handle(topic.of(aCancelRequest("job-c")));

    assertThat(cancel).isCompleted();
    assertThat(cancels).hasValue(1);
    assertThat(run).isNotDone();
  }

  @Test
  void givenOtherEventTypes_whenDispatched_thenTheyAreSkippedOnTheirHeaderWithoutDecoding() {
    LifecycleDispatcher dispatcher = heldRequests().build();

    assertThat(dispatcher.handle(topic.raw("job-d", EventType.JOB_STARTED, GARBAGE))).isCompleted();
    assertThat(dispatcher.handle(topic.of(Events.aJobStarted("job-d")))).isCompleted();

    assertThat(started).isEmpty();
    assertThat(deadLettered).isEmpty();
  }

  @Test
  void givenAnUndecodableRecord_whenDispatched_thenItIsDeadLetteredAtOnce() {
    ConsumerRecord<byte[], byte[]> poison = topic.raw("job-e", EventType.JOB_REQUESTED, GARBAGE);

    assertThat(heldRequests().build().handle(poison)).succeedsWithin(TIMEOUT);

    assertThat(deadLettered).containsOnlyKeys(poison);
    assertThat(deadLettered.get(poison)).isInstanceOf(UndecodableEventException.class);
    assertThat(started).isEmpty();
  }

  @Test
  void givenWorkThatCanNeverSucceed_whenItFails_thenTheRecordIsDeadLetteredWithoutRedelivery() {
    AtomicInteger tries = new AtomicInteger();
    LifecycleDispatcher dispatcher = dispatcher()
        .inJobOrder(JobRequested.class, requested -> {
          tries.incrementAndGet();
          throw new UnprocessableRecordException("Job id cannot name a folder");
        })
        .redeliveries(3, Duration.ofMillis(10))
        .build();
    ConsumerRecord<byte[], byte[]> record = topic.of(Events.aJobRequested("job-f"));

    assertThat(dispatcher.handle(record)).succeedsWithin(TIMEOUT);

    assertThat(tries).hasValue(1);
    assertThat(deadLettered.get(record)).isInstanceOf(UnprocessableRecordException.class);
  }

  @Test
  void givenWorkThatKeepsFailing_whenRedeliveriesRunOut_thenTheRecordIsDeadLetteredWithTheLastFailure() {
    AtomicInteger tries = new AtomicInteger();
    LifecycleDispatcher dispatcher = dispatcher()
        .inJobOrder(JobRequested.class, requested -> CompletableFuture.failedFuture(
            new EventPublishingException("Broker unreachable (try " + tries.incrementAndGet() + ")", null)))
        .redeliveries(2, Duration.ofMillis(10))
        .build();
    ConsumerRecord<byte[], byte[]> record = topic.of(Events.aJobRequested("job-g"));

    assertThat(dispatcher.handle(record)).succeedsWithin(TIMEOUT);

    assertThat(tries).hasValue(3);
    assertThat(deadLettered.get(record)).isInstanceOf(EventPublishingException.class).hasMessageContaining("try 3");
  }

  @Test
  void givenAnOutageLongerThanTheRedeliveries_whenItEnds_thenTheWorkSucceedsAndNothingIsDeadLettered() {
    AtomicInteger tries = new AtomicInteger();
    LifecycleDispatcher dispatcher = dispatcher()
        .inJobOrder(JobRequested.class, requested -> tries.incrementAndGet() <= 6
            ? CompletableFuture.failedFuture(new OutageException())
            : CompletableFuture.completedFuture(null))
        .redeliveries(2, Duration.ofMillis(5))
        .retriedUntilItWorks(OutageException.class)
        .build();

    assertThat(dispatcher.handle(topic.of(Events.aJobRequested("job-o")))).succeedsWithin(TIMEOUT);

    assertThat(tries).as("tried past the two redeliveries other failures get").hasValue(7);
    assertThat(deadLettered).isEmpty();
  }

  /** A dependency that is down for a while. */
  private static final class OutageException extends RuntimeException {
    OutageException() {
      super("store unavailable");
    }
  }

  @Test
  void givenWorkThatFailsOnce_whenRedelivered_thenItSucceedsAndNothingIsDeadLettered() {
    AtomicInteger tries = new AtomicInteger();
    LifecycleDispatcher dispatcher = dispatcher()
        .inJobOrder(JobRequested.class, requested -> tries.incrementAndGet() == 1
            ? CompletableFuture.failedFuture(new IllegalStateException("disk unavailable"))
            : CompletableFuture.completedFuture(null))
        .redeliveries(2, Duration.ofMillis(10))
        .build();

    assertThat(dispatcher.handle(topic.of(Events.aJobRequested("job-h")))).succeedsWithin(TIMEOUT);

    assertThat(tries).hasValue(2);
    assertThat(deadLettered).isEmpty();
  }

  @Test
  void givenTheDeadLetterTopicIsUnreachableForAWhile_whenDispatched_thenDeadLetteringIsTriedUntilItWorks() {
    AtomicInteger tries = new AtomicInteger();
    LifecycleDispatcher dispatcher = LifecycleDispatcher.builder(new LifecycleRecords(new LifecycleCodec()),
            (record, reason) -> {
              if (tries.incrementAndGet() < 3) {
                return CompletableFuture.failedFuture(new EventPublishingException("Cannot dead-letter", reason));
              }
              deadLettered.put(record, reason);
              return CompletableFuture.completedFuture(null);
            }, executor)
        .inJobOrder(JobRequested.class, requested -> CompletableFuture.completedFuture(null))
        .redeliveries(2, Duration.ofMillis(10))
        .build();
    ConsumerRecord<byte[], byte[]> poison = topic.raw("job-i", EventType.JOB_REQUESTED, GARBAGE);

    CompletableFuture<Void> done = dispatcher.handle(poison);

    await().atMost(TIMEOUT).until(done::isDone);
    assertThat(tries).hasValue(3);
    assertThat(deadLettered).containsOnlyKeys(poison);
  }

  private LifecycleDispatcher.Builder dispatcher() {
    return LifecycleDispatcher.builder(new LifecycleRecords(new LifecycleCodec()), (record, reason) -> {
      deadLettered.put(record, reason);
      return CompletableFuture.completedFuture(null);
    }, executor);
  }

  /** Requests whose work is held until the test completes it. */
  private LifecycleDispatcher.Builder heldRequests() {
    return dispatcher().inJobOrder(JobRequested.class, requested -> {
      CompletableFuture<Void> work = new CompletableFuture<>();
      started.add(new Started(requested.getMetadata().getJobId(), work));
      return work;
    });
  }

  private static JobCancelRequested aCancelRequest(String jobId) {
    return JobCancelRequested.newBuilder().setMetadata(Events.metadata(jobId, "gateway", 0)).setReason("no").build();
  }

  private record Started(String jobId, CompletableFuture<Void> work) {}
}
