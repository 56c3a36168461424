package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.schemas.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventsInFlightTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Acknowledgements the test hands out itself, in send order. */
  private final List<CompletableFuture<Void>> acknowledgements = new ArrayList<>();
  private final List<SpecificRecord> sent = new ArrayList<>();
  private final EventsInFlight events = new EventsInFlight(event -> {
    sent.add(event);
    CompletableFuture<Void> acknowledgement = new CompletableFuture<>();
    acknowledgements.add(acknowledgement);
    return acknowledgement;
  });

  @Test
  void givenUnacknowledgedEvents_whenTheOutcomeIsSentAndAcknowledged_thenTheWorkEndsOnlyOnceAllAre() {
    events.send(Events.aJobStarted("job-1"));
    events.send(Events.aJobStarted("job-1"));

    CompletableFuture<Void> finished = events.sendLast(Events.aJobStarted("job-1"));
    acknowledgements.get(2).complete(null);

    assertThat(sent).hasSize(3);
    assertThat(finished).isNotDone();
    acknowledgements.get(0).complete(null);
    assertThat(finished).isNotDone();
    acknowledgements.get(1).complete(null);
    assertThat(finished).succeedsWithin(TIMEOUT);
  }

  @Test
  void givenAnEarlierEventThatFails_whenTheOutcomeIsAcknowledged_thenTheWorkFailsWithThatFailure() {
    events.send(Events.aJobStarted("job-2"));
    CompletableFuture<Void> finished = events.sendLast(Events.aJobStarted("job-2"));
    EventPublishingException refused = new EventPublishingException("Cannot publish JobStarted", null);

    acknowledgements.get(1).complete(null);
    acknowledgements.get(0).completeExceptionally(refused);

    assertThat(finished).failsWithin(TIMEOUT).withThrowableOfType(Exception.class).withCause(refused);
    assertThat(events.failure()).contains(refused);
  }

  @Test
  void givenNoFailureYet_thenNoneIsReported() {
    events.send(Events.aJobStarted("job-3"));

    assertThat(events.failure()).isEmpty();
    assertThat(events.acknowledged()).isNotDone();
  }
}
