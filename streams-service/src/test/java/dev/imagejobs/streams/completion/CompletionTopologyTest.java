package dev.imagejobs.streams.completion;

import static dev.imagejobs.streams.completion.JobLifecycle.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.RunEndedCodec;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.Traceparent;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.RunEnded;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionTopologyTest {

  private static final Instant WALL_CLOCK_START = Instant.parse("2026-11-24T10:20:00Z");
  private static final LifecycleCodec LIFECYCLE = new LifecycleCodec();
  private static final CompletedJobCodec COMPLETED = new CompletedJobCodec();
  private static final RunEndedCodec ENDED_RUNS = new RunEndedCodec();

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> lifecycleIn;
  private TestOutputTopic<String, byte[]> completedOut;
  private TestOutputTopic<String, byte[]> lifecycleOut;
  private TestOutputTopic<byte[], byte[]> deadLettersOut;
  private TestOutputTopic<String, byte[]> endedRunsOut;

  @BeforeEach
  void startDriver() {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, CompletionTopology.APPLICATION_ID);
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(
        CompletionTopology.build(new StreamsBuilder(), StreamsSettings.defaults(), TopicNames.UNPREFIXED, JobTracing.disabled()), config, WALL_CLOCK_START);
    lifecycleIn = driver.createInputTopic(Topics.LIFECYCLE.name(), new StringSerializer(), new ByteArraySerializer());
    completedOut = driver.createOutputTopic(Topics.COMPLETED.name(), new StringDeserializer(), new ByteArrayDeserializer());
    lifecycleOut = driver.createOutputTopic(Topics.LIFECYCLE.name(), new StringDeserializer(), new ByteArrayDeserializer());
    deadLettersOut = driver.createOutputTopic(
        Topics.LIFECYCLE_DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    endedRunsOut = driver.createOutputTopic(Topics.ENDED_RUNS.name(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void emitsOneSelfContainedSummaryWithEveryFieldWhenAJobCompletes() {
    // Given a job that needed two provider attempts
    JobLifecycle job = aJob("job-happy");
    List<SpecificRecord> events = job.completedAfterTwoAttempts();

    // When its whole lifecycle is folded
    events.forEach(this::publish);

    // Then exactly one summary is emitted, keyed by the job id
    List<TestRecord<String, byte[]>> records = completedOut.readRecordsToList();
    assertThat(records).hasSize(1);
    TestRecord<String, byte[]> record = records.get(0);
    assertThat(record.key()).isEqualTo(job.jobId());
    ImageJobCompleted summary = COMPLETED.decode(record.value());

    // And every field of the public contract is filled from the fold
    for (Schema.Field field : ImageJobCompleted.getClassSchema().getFields()) {
      assertThat(summary.get(field.pos())).as(field.name()).isNotNull();
    }
    JobSpec spec = job.spec();
    JobCompleted completed = (JobCompleted) events.get(7);
    Instant requestedAt = JobLifecycle.REQUESTED_AT;
    assertThat(summary.getJobId()).isEqualTo(job.jobId());
    assertThat(summary.getCompletedEventId()).isEqualTo(completed.getMetadata().getEventId());
    assertThat(summary.getTenantId()).isEqualTo("tenant-a");
    assertThat(summary.getJobType()).isEqualTo(spec.getJobType());
    assertThat(summary.getProjectId()).isEqualTo("p1");
    assertThat(summary.getBranchId()).isEqualTo("main");
    assertThat(summary.getSceneId()).isEqualTo("scene-7");
    assertThat(summary.getShotId()).isEqualTo("shot-3");
    assertThat(summary.getAssetId()).isEqualTo("hero");
    assertThat(summary.getPrompt()).isEqualTo(spec.getPrompt());
    assertThat(summary.getStyleCapsuleId()).isEqualTo("noir-ink");
    assertThat(summary.getAspectRatio()).isEqualTo("16:9");
    assertThat(summary.getImageSize()).isEqualTo("2K");
    assertThat(summary.getBatchId()).isEqualTo(spec.getBatchId());
    assertThat(summary.getEditedStoragePath()).isEqualTo(spec.getEdit().getSource().getStoragePath());
    assertThat(summary.getStoragePath()).isEqualTo(job.storagePath());
    assertThat(summary.getObjectUri()).isEqualTo("file:///var/lib/image-jobs/asset-images/" + job.storagePath());
    assertThat(summary.getContentType()).isEqualTo("image/png");
    assertThat(summary.getSizeBytes()).isEqualTo(123_456L);
    assertThat(summary.getWidth()).isEqualTo(2048);
    assertThat(summary.getHeight()).isEqualTo(1152);
    assertThat(summary.getSha256()).isEqualTo("ab".repeat(32));
    assertThat(summary.getEstimatedCostMicros()).isEqualTo(39_000L);
    assertThat(summary.getActualCostMicros()).isEqualTo(38_700L);
    assertThat(summary.getProvider()).isEqualTo("nano-banana");
    assertThat(summary.getModel()).isEqualTo("gemini-2.5-flash-image-preview");
    assertThat(summary.getAttempts()).isEqualTo(2);
    assertThat(summary.getRetries()).isZero();
    assertThat(summary.getCreatedAt()).isEqualTo(requestedAt);
    assertThat(summary.getStartedAt()).isEqualTo(requestedAt.plusSeconds(1));
    assertThat(summary.getCompletedAt()).isEqualTo(requestedAt.plusSeconds(7));
    assertThat(Traceparent.traceId(summary.getTraceparent())).contains(job.traceId());

    // And it travels with CloudEvents headers of its own
    Headers headers = record.headers();
    assertThat(header(headers, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
    assertThat(header(headers, CloudEventHeaders.ID)).matches("[0-9a-f-]{36}")
        .isNotEqualTo(completed.getMetadata().getEventId());
    assertThat(header(headers, CloudEventHeaders.SOURCE)).isEqualTo("/image-jobs/streams");
    assertThat(header(headers, CloudEventHeaders.TYPE)).isEqualTo("dev.imagejobs.completed.ImageJobCompleted");
    assertThat(header(headers, CloudEventHeaders.TIME)).isEqualTo(requestedAt.plusSeconds(7).toString());
    assertThat(header(headers, CloudEventHeaders.SUBJECT)).isEqualTo(job.jobId());
    assertThat(header(headers, CloudEventHeaders.CONTENT_TYPE)).isEqualTo("application/avro");
    // The traceparent header is the sending span's, written by the tracing propagator: none without tracing
    assertThat(headers.lastHeader(CloudEventHeaders.TRACEPARENT)).isNull();

    // And nothing else is written
    assertThat(lifecycleOut.isEmpty()).isTrue();
    assertThat(deadLettersOut.isEmpty()).isTrue();
  }

  @Test
  void countsAManualRetryAndSummarisesTheRunThatSucceeded() {
    // Given a job whose first run failed for good and was retried by the client
    JobLifecycle job = aJob("job-retried");
    publish(job.requested());
    publish(job.started());
    publish(job.generationStarted(1));
    publish(job.attemptFailed(1));
    publish(job.generationStarted(2));
    publish(job.failed("generating"));
    publish(job.retryRequested(1));
    Instant secondRunStartedAt = job.now();

    // When the second run completes at its first attempt
    job.runToCompletion().forEach(this::publish);

    // Then the summary counts one retry and describes the second run only
    ImageJobCompleted summary = COMPLETED.decode(completedOut.readValue());
    assertThat(summary.getRetries()).isEqualTo(1);
    assertThat(summary.getAttempts()).isEqualTo(1);
    assertThat(summary.getStartedAt()).isEqualTo(secondRunStartedAt);
    assertThat(summary.getCreatedAt()).isEqualTo(JobLifecycle.REQUESTED_AT);
    assertThat(completedOut.isEmpty()).isTrue();
  }

  @Test
  void recordsTheEndOfEachRunOnTheEndedRunsTopicOnce() {
    // Given a job whose first run fails at its second attempt
    JobLifecycle job = aJob("job-runs");
    publish(job.requested());
    publish(job.started());
    publish(job.generationStarted(1));
    publish(job.attemptFailed(1));
    publish(job.generationStarted(2));
    assertThat(endedRunsOut.isEmpty()).as("nothing has ended yet").isTrue();
    publish(job.failed("generating"));

    // Then the first run is recorded as failed, by whoever failed it, keyed by the job id
    TestRecord<String, byte[]> first = endedRunsOut.readRecord();
    assertThat(first.key()).isEqualTo(job.jobId());
    RunEnded firstRun = ENDED_RUNS.decode(first.value());
    assertThat(firstRun.getJobId()).isEqualTo(job.jobId());
    assertThat(firstRun.getTenantId()).isEqualTo("tenant-a");
    assertThat(firstRun.getRun()).isZero();
    assertThat(firstRun.getStatus()).isEqualTo("failed");
    assertThat(firstRun.getEndedBy()).isEqualTo("generation");
    assertThat(endedRunsOut.isEmpty()).isTrue();

    // When the client retries and the second run completes, and its completion is delivered twice
    publish(job.retryRequested(1));
    List<SpecificRecord> secondRun = job.runToCompletion();
    secondRun.forEach(this::publish);
    publish(secondRun.get(secondRun.size() - 1));

    // Then the second run is recorded once, as completed by the upload service
    RunEnded second = ENDED_RUNS.decode(endedRunsOut.readValue());
    assertThat(second.getRun()).isEqualTo(1);
    assertThat(second.getStatus()).isEqualTo("completed");
    assertThat(second.getEndedBy()).isEqualTo("upload");
    assertThat(second.getEndedAt()).isEqualTo(((JobCompleted) secondRun.get(secondRun.size() - 1))
        .getMetadata().getOccurredAt());
    assertThat(endedRunsOut.isEmpty()).isTrue();

    // And a canceled job is recorded as canceled
    JobLifecycle canceled = aJob("job-canceled-run");
    publish(canceled.requested());
    publish(canceled.canceled("queued"));
    assertThat(ENDED_RUNS.decode(endedRunsOut.readValue()).getStatus()).isEqualTo("canceled");
  }

  @Test
  void aLateEventOfARunThatARetryReplacedChangesNothing() {
    JobLifecycle job = aJob("job-late");
    publish(job.requested());
    publish(job.started());
    var lateStart = job.started(); // of the first run, held back somewhere
    publish(job.failed("processing"));
    publish(job.retryRequested(1));

    publish(lateStart);

    assertThat(jobStates().get(job.jobId()).status()).isEqualTo(JobStatus.QUEUED);
    publish(job.started());
    assertThat(jobStates().get(job.jobId()).status()).as("the retry's own start").isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void aChoiceOfVariantIsNotASecondCompletionNorASecondEnding() {
    // Given a completed job, summarised once and its run recorded as ended
    JobLifecycle job = aJob("job-chosen");
    job.completedAfterTwoAttempts().forEach(this::publish);
    assertThat(completedOut.readRecordsToList()).hasSize(1);
    assertThat(endedRunsOut.readRecordsToList()).hasSize(1);

    // When a client chooses one of its variants, then another
    publish(job.variantSelected(2));
    publish(job.variantSelected(3));

    // Then the job stays completed, with no further summary, ended run or dead letter
    assertThat(jobStates().get(job.jobId()).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(completedOut.isEmpty()).isTrue();
    assertThat(endedRunsOut.isEmpty()).isTrue();
    assertThat(deadLettersOut.isEmpty()).isTrue();
  }

  @Test
  void emitsNothingForADuplicateCompletion() {
    // Given a completed job
    JobLifecycle job = aJob("job-duplicate");
    List<SpecificRecord> events = job.completedAfterTwoAttempts();
    events.forEach(this::publish);
    assertThat(completedOut.readRecordsToList()).hasSize(1);

    // When its JobCompleted is redelivered, and another JobCompleted for it arrives
    publish(events.get(events.size() - 1));
    publish(job.completed());

    // Then no further summary is emitted and the state keeps the first completion
    assertThat(completedOut.isEmpty()).isTrue();
    JobState state = jobStates().get(job.jobId());
    assertThat(state.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(state.completedEventId()).isEqualTo(((JobCompleted) events.get(7)).getMetadata().getEventId());
    assertThat(deadLettersOut.isEmpty()).isTrue();
  }

  @Test
  void rejectsAnIllegalTransitionWithoutApplyingItAndKeepsFoldingLegalOnes() {
    // Given a job that is generating
    JobLifecycle job = aJob("job-illegal");
    publish(job.requested());
    publish(job.started());
    publish(job.generationStarted(1));

    // When an UploadStarted arrives before the image was generated
    publish(job.uploadStarted());

    // Then the job is still generating and nothing is emitted
    assertThat(jobStates().get(job.jobId()).status()).isEqualTo(JobStatus.GENERATING);
    assertThat(completedOut.isEmpty()).isTrue();
    assertThat(deadLettersOut.isEmpty()).isTrue();

    // And the legal sequence that follows still completes the job
    publish(job.imageGenerated(1));
    publish(job.uploadStarted());
    publish(job.completed());
    ImageJobCompleted summary = COMPLETED.decode(completedOut.readValue());
    assertThat(summary.getJobId()).isEqualTo(job.jobId());
    assertThat(summary.getAttempts()).isEqualTo(1);
  }

  @Test
  void rejectsAnEventOfAnotherTenant() {
    // Given a queued job of tenant-a
    JobLifecycle job = aJob("job-tenant");
    publish(job.requested());

    // When an event of another tenant arrives for it
    var foreign = job.started();
    foreign.getMetadata().setTenantId("tenant-b");
    publish(foreign);

    // Then it is not applied
    assertThat(jobStates().get(job.jobId()).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void watchdogFailsAJobStuckPastItsStatusDeadlineExactlyOnce() {
    // Given a job that the generation service took and then went silent (processing deadline: 5 min)
    JobLifecycle job = aJob("job-stuck");
    publish(job.requested());
    publish(job.started());

    // When less than the deadline passes, nothing happens
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    assertThat(lifecycleOut.isEmpty()).isTrue();

    // When the deadline is exceeded
    driver.advanceWallClockTime(Duration.ofSeconds(30));

    // Then one JobFailed with a TIMEOUT at the processing stage is written to the lifecycle topic
    List<TestRecord<String, byte[]>> failures = lifecycleOut.readRecordsToList();
    assertThat(failures).hasSize(1);
    TestRecord<String, byte[]> record = failures.get(0);
    assertThat(record.key()).isEqualTo(job.jobId());
    LifecycleEvent event = LIFECYCLE.decode(record.value());
    assertThat(event.type()).isEqualTo(EventType.JOB_FAILED);
    JobFailed failed = event.payload(JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("processing");
    assertThat(failed.getErrorClass()).isEqualTo("TIMEOUT");
    assertThat(failed.getErrorCode()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(failed.getMessage()).contains("processing").contains("PT5M");
    assertThat(failed.getMetadata().getProducer()).isEqualTo("watchdog");
    assertThat(failed.getMetadata().getJobId()).isEqualTo(job.jobId());
    assertThat(failed.getMetadata().getTenantId()).isEqualTo("tenant-a");
    assertThat(failed.getMetadata().getOccurredAt()).isEqualTo(WALL_CLOCK_START.plus(Duration.ofSeconds(330)));
    assertThat(Traceparent.traceId(failed.getMetadata().getTraceparent())).contains(job.traceId());
    Headers headers = record.headers();
    assertThat(header(headers, CloudEventHeaders.TYPE)).isEqualTo(EventType.JOB_FAILED.ceType());
    assertThat(header(headers, CloudEventHeaders.ID)).isEqualTo(failed.getMetadata().getEventId());
    assertThat(header(headers, CloudEventHeaders.SOURCE)).isEqualTo("/image-jobs/watchdog");
    assertThat(header(headers, CloudEventHeaders.SUBJECT)).isEqualTo(job.jobId());

    // And the end of the run is recorded in the same transaction, before the JobFailed is read back
    RunEnded ended = ENDED_RUNS.decode(endedRunsOut.readRecordsToList().get(0).value());
    assertThat(ended.getRun()).isZero();
    assertThat(ended.getStatus()).isEqualTo("failed");
    assertThat(ended.getEndedBy()).isEqualTo("watchdog");
    assertThat(ended.getEndedAt()).isEqualTo(failed.getMetadata().getOccurredAt());

    // And later scans do not fail it again
    driver.advanceWallClockTime(Duration.ofMinutes(30));
    assertThat(lifecycleOut.isEmpty()).isTrue();

    // And the failure, read back from the lifecycle topic like any event, failed the job
    assertThat(jobStates().get(job.jobId()).status()).isEqualTo(JobStatus.FAILED);

    // And the client's retry arms the watchdog again
    publish(job.retryRequested(1));
    driver.advanceWallClockTime(Duration.ofMinutes(10).plusSeconds(30));
    assertThat(LIFECYCLE.decode(lifecycleOut.readValue()).payload(JobFailed.class).getFailureStage())
        .isEqualTo("queued");
  }

  @Test
  void watchdogLetsAQueuedJobWaitItsTurnWhileJobsOfItsPartitionKeepStarting() {
    // Given a low-priority job queued behind others that generation starts first (queued deadline: 10 min)
    JobLifecycle waiting = aJob("job-waiting-its-turn");
    publish(waiting.requested());

    // When for half an hour another job of its partition starts (and completes) every four minutes
    for (int i = 0; i < 8; i++) {
      driver.advanceWallClockTime(Duration.ofMinutes(4));
      aJob("job-ahead-" + i).completedAfterTwoAttempts().forEach(this::publish);
    }

    // Then the waiting job is not failed: it waits its turn, it is not stuck
    assertThat(lifecycleOut.isEmpty()).isTrue();
    assertThat(jobStates().get(waiting.jobId()).status()).isEqualTo(JobStatus.QUEUED);

    // When no job of the partition starts for longer than the deadline (generation stalled)
    driver.advanceWallClockTime(Duration.ofMinutes(10).plusSeconds(30));

    // Then it is failed, and its message says why
    JobFailed failed = LIFECYCLE.decode(lifecycleOut.readValue()).payload(JobFailed.class);
    assertThat(failed.getMetadata().getJobId()).isEqualTo(waiting.jobId());
    assertThat(failed.getFailureStage()).isEqualTo("queued");
    assertThat(failed.getMessage()).contains("no job of its partition started");
  }

  @Test
  void watchdogMeasuresEachStatusAgainstItsOwnDeadline() {
    // Given a job that reaches generating after four minutes in processing
    JobLifecycle job = aJob("job-progressing");
    publish(job.requested());
    publish(job.started());
    driver.advanceWallClockTime(Duration.ofMinutes(4));
    publish(job.generationStarted(1));

    // When another eight minutes pass: past the processing deadline, within the generating one
    driver.advanceWallClockTime(Duration.ofMinutes(8));

    // Then it is not failed
    assertThat(lifecycleOut.isEmpty()).isTrue();

    // When the generating deadline is exceeded, it is failed at the generating stage
    driver.advanceWallClockTime(Duration.ofMinutes(2).plusSeconds(30));
    JobFailed failed = LIFECYCLE.decode(lifecycleOut.readValue()).payload(JobFailed.class);
    assertThat(failed.getFailureStage()).isEqualTo("generating");
    assertThat(failed.getMetadata().getAttempt()).isEqualTo(1);
  }

  @Test
  void watchdogLeavesTerminalJobsAlone() {
    // Given a completed, a failed and a canceled job
    aJob("job-done").completedAfterTwoAttempts().forEach(this::publish);
    JobLifecycle failed = aJob("job-failed");
    publish(failed.requested());
    publish(failed.failed("queued"));
    JobLifecycle canceled = aJob("job-canceled");
    publish(canceled.requested());
    publish(canceled.canceled("queued"));

    // When far more than any deadline passes
    driver.advanceWallClockTime(Duration.ofHours(2));

    // Then the watchdog writes nothing
    assertThat(lifecycleOut.isEmpty()).isTrue();
  }

  @Test
  void deadLettersGarbageAndUnknownSchemasAndKeepsTheNextRecordFlowing() {
    // Given a record that is not Avro at all and one written with a schema no release has
    Headers garbageHeaders = new RecordHeaders();
    garbageHeaders.add(CloudEventHeaders.TYPE, EventType.JOB_REQUESTED.ceType().getBytes(StandardCharsets.UTF_8));
    byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    byte[] unknownSchema = withFingerprint(LIFECYCLE.encode(aJob("job-x").requested()), 0x1234_5678_9abc_def0L);

    // When both arrive on the lifecycle topic, followed by a good lifecycle
    lifecycleIn.pipeInput(new TestRecord<>("job-garbage", garbage, garbageHeaders));
    lifecycleIn.pipeInput(new TestRecord<>("job-x", unknownSchema, new RecordHeaders()));
    JobLifecycle good = aJob("job-after-poison");
    good.completedAfterTwoAttempts().forEach(this::publish);

    // Then both reach the dead-letter topic byte for byte, with origin and reason
    List<TestRecord<byte[], byte[]>> letters = deadLettersOut.readRecordsToList();
    assertThat(letters).hasSize(2);
    TestRecord<byte[], byte[]> first = letters.get(0);
    assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("job-garbage");
    assertThat(first.value()).isEqualTo(garbage);
    assertThat(header(first.headers(), CloudEventHeaders.TYPE)).isEqualTo(EventType.JOB_REQUESTED.ceType());
    assertThat(header(first.headers(), DeadLetters.REASON)).contains("UndecodableEventException").contains("C3 01");
    assertThat(header(first.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.LIFECYCLE.name());
    assertThat(header(first.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(first.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(first.headers(), DeadLetters.CONSUMER_GROUP)).isEqualTo("image-jobs-streams");
    TestRecord<byte[], byte[]> second = letters.get(1);
    assertThat(second.value()).isEqualTo(unknownSchema);
    assertThat(header(second.headers(), DeadLetters.REASON)).contains("Unknown writer schema fingerprint");
    assertThat(header(second.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");

    // And the good job behind them is still summarised
    assertThat(COMPLETED.decode(completedOut.readValue()).getJobId()).isEqualTo(good.jobId());
  }

  @Test
  void deadLettersARecordKeyedByAnotherJob() {
    // Given a JobRequested whose key is not its job id (it would be ordered with another job's events)
    JobRequested requested = aJob("job-real").requested();

    // When it arrives
    lifecycleIn.pipeInput(new TestRecord<>("job-other", LIFECYCLE.encode(requested), new RecordHeaders()));

    // Then it is dead-lettered and no state is created for either id
    assertThat(header(deadLettersOut.readRecord().headers(), DeadLetters.REASON))
        .contains("UnprocessableRecordException").contains("job-other");
    assertThat(jobStates().get("job-real")).isNull();
    assertThat(jobStates().get("job-other")).isNull();
  }

  private void publish(SpecificRecord event) {
    Headers headers = new RecordHeaders();
    LifecycleEvent lifecycleEvent = LifecycleEvent.of(event);
    CloudEventHeaders.write(headers, lifecycleEvent);
    lifecycleIn.pipeInput(new TestRecord<>(lifecycleEvent.jobId(), LIFECYCLE.encode(event), headers));
  }

  private KeyValueStore<String, JobState> jobStates() {
    return driver.getKeyValueStore(CompletionTopology.JOB_STATES);
  }

  private static String header(Headers headers, String name) {
    return CloudEventHeaders.value(headers, name).orElse(null);
  }

  /** The same body behind a single-object header that names a schema fingerprint no release has. */
  private static byte[] withFingerprint(byte[] singleObject, long fingerprint) {
    byte[] copy = singleObject.clone();
    ByteBuffer.wrap(copy, 2, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
    return copy;
  }
}
