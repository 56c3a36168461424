package dev.imagejobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryOrderTest {

  /** The topic's order: the cancel reached Kafka after generation had started. */
  private static final List<Map<String, Object>> REBUILT = List.of(
      event(1, "e1", "JobRequested", "queued", "gateway"),
      event(2, "e2", "JobStarted", "processing", "generation"),
      event(3, "e3", "GenerationStarted", "generating", "generation"),
      event(4, "e4", "JobCancelRequested", "generating", "gateway"),
      event(5, "e5", "JobCanceled", "canceled", "generation"));

  @Test
  void givenTheCancelWhereTheGatewayAcceptedIt_thenTheHistoriesTellTheSameStory() {
    List<Map<String, Object>> live = List.of(
        event(1, "e1", "JobRequested", "queued", "gateway"),
        event(2, "e4", "JobCancelRequested", "queued", "gateway"),
        event(3, "e2", "JobStarted", "processing", "generation"),
        event(4, "e3", "GenerationStarted", "generating", "generation"),
        event(5, "e5", "JobCanceled", "canceled", "generation"));

    assertThat(live).isNotEqualTo(REBUILT);
    assertThat(HistoryOrder.sameButCommandsEarlier(live, REBUILT)).isTrue();
  }

  @Test
  void givenServiceEventsInAnotherOrder_thenItIsADifference() {
    List<Map<String, Object>> live = List.of(
        event(1, "e1", "JobRequested", "queued", "gateway"),
        event(2, "e3", "GenerationStarted", "generating", "generation"),
        event(3, "e2", "JobStarted", "processing", "generation"),
        event(4, "e4", "JobCancelRequested", "generating", "gateway"),
        event(5, "e5", "JobCanceled", "canceled", "generation"));

    assertThat(HistoryOrder.sameButCommandsEarlier(live, REBUILT)).isFalse();
  }

  @Test
  void givenACommandLaterInTheLiveHistoryOrAnEventMissing_thenItIsADifference() {
    List<Map<String, Object>> later = List.of(
        event(1, "e2", "JobStarted", "processing", "generation"),
        event(2, "e1", "JobRequested", "queued", "gateway"),
        event(3, "e3", "GenerationStarted", "generating", "generation"),
        event(4, "e4", "JobCancelRequested", "generating", "gateway"),
        event(5, "e5", "JobCanceled", "canceled", "generation"));
    List<Map<String, Object>> missing = REBUILT.subList(0, 4);

    assertThat(HistoryOrder.sameButCommandsEarlier(later, REBUILT)).isFalse();
    assertThat(HistoryOrder.sameButCommandsEarlier(missing, REBUILT)).isFalse();
  }

  private static Map<String, Object> event(int seq, String id, String type, String statusAfter, String producer) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("job_id", "job-1");
    event.put("seq", seq);
    event.put("event_id", id);
    event.put("event_type", type);
    event.put("status_after", statusAfter);
    event.put("producer", producer);
    return event;
  }
}
