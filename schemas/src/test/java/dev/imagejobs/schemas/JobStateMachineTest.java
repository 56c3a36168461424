package dev.imagejobs.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStateMachineTest {

  /** The whole legal table: (status before, event) -> status after. Everything else is illegal. */
  private static final Map<JobStatus, Map<EventType, JobStatus>> LEGAL = legalTable();

  private static Map<JobStatus, Map<EventType, JobStatus>> legalTable() {
    Map<JobStatus, Map<EventType, JobStatus>> table = new EnumMap<>(JobStatus.class);
    for (JobStatus status : JobStatus.values()) {
      table.put(status, new EnumMap<>(EventType.class));
    }
    table.get(JobStatus.QUEUED).put(EventType.JOB_STARTED, JobStatus.PROCESSING);
    table.get(JobStatus.PROCESSING).put(EventType.GENERATION_STARTED, JobStatus.GENERATING);
    table.get(JobStatus.GENERATING).put(EventType.GENERATION_STARTED, JobStatus.GENERATING);
    table.get(JobStatus.GENERATING).put(EventType.GENERATION_ATTEMPT_FAILED, JobStatus.GENERATING);
    table.get(JobStatus.GENERATING).put(EventType.IMAGE_GENERATED, JobStatus.GENERATED);
    table.get(JobStatus.GENERATED).put(EventType.UPLOAD_STARTED, JobStatus.UPLOADING);
    table.get(JobStatus.UPLOADING).put(EventType.JOB_COMPLETED, JobStatus.COMPLETED);
    table.get(JobStatus.FAILED).put(EventType.JOB_RETRY_REQUESTED, JobStatus.QUEUED);
    table.get(JobStatus.COMPLETED).put(EventType.VARIANT_SELECTED, JobStatus.COMPLETED);
    for (JobStatus status : JobStatus.values()) {
      if (!status.isTerminal()) {
        table.get(status).put(EventType.JOB_FAILED, JobStatus.FAILED);
        table.get(status).put(EventType.JOB_CANCELED, JobStatus.CANCELED);
        table.get(status).put(EventType.JOB_CANCEL_REQUESTED, status);
      }
    }
    return table;
  }

  static Stream<Arguments> everyStatusAndEvent() {
    List<Arguments> pairs = new ArrayList<>();
    for (JobStatus status : JobStatus.values()) {
      for (EventType event : EventType.values()) {
        pairs.add(Arguments.of(status, event));
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("everyStatusAndEvent")
  void appliesExactlyTheLegalTransitions(JobStatus from, EventType event) {
    JobStatus expected = LEGAL.get(from).get(event);
    if (expected != null) {
      assertThat(JobStateMachine.next(from, event)).isEqualTo(expected);
      assertThat(JobStateMachine.allows(from, event)).isTrue();
    } else {
      assertThat(JobStateMachine.allows(from, event)).isFalse();
      assertThatThrownBy(() -> JobStateMachine.next(from, event))
          .isInstanceOf(IllegalTransitionException.class)
          .hasMessageContaining(event.simpleName())
          .hasMessageContaining(from.wireName());
    }
  }

  @Test
  void aNewJobCanOnlyStartWithJobRequested() {
    assertThat(JobStateMachine.next(null, EventType.JOB_REQUESTED)).isEqualTo(JobStatus.QUEUED);
    Arrays.stream(EventType.values())
        .filter(event -> event != EventType.JOB_REQUESTED)
        .forEach(event -> assertThatThrownBy(() -> JobStateMachine.next(null, event))
            .isInstanceOf(IllegalTransitionException.class));
  }

  @Test
  void terminalStatusesAcceptNothingButARetryOfAFailureAndASelectionOfACompletedJobsVariant() {
    for (JobStatus terminal : List.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED)) {
      for (EventType event : EventType.values()) {
        boolean retryOfFailure = terminal == JobStatus.FAILED && event == EventType.JOB_RETRY_REQUESTED;
        boolean selection = terminal == JobStatus.COMPLETED && event == EventType.VARIANT_SELECTED;
        assertThat(JobStateMachine.allows(terminal, event)).as("%s + %s", terminal, event)
            .isEqualTo(retryOfFailure || selection);
      }
    }
  }

  @Test
  void happyPathWalksQueuedToCompleted() {
    JobStatus status = null;
    for (EventType event : List.of(
        EventType.JOB_REQUESTED,
        EventType.JOB_STARTED,
        EventType.GENERATION_STARTED,
        EventType.GENERATION_ATTEMPT_FAILED,
        EventType.GENERATION_STARTED,
        EventType.IMAGE_GENERATED,
        EventType.UPLOAD_STARTED,
        EventType.JOB_COMPLETED)) {
      status = JobStateMachine.next(status, event);
    }
    assertThat(status).isEqualTo(JobStatus.COMPLETED);
  }
}
