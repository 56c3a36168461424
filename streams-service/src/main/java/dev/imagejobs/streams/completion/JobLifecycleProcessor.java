package dev.imagejobs.streams.completion;

import dev.imagejobs.messaging.JobTracing;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.RunEndedCodec;
import dev.imagejobs.schemas.UndecodableEventException;
import dev.imagejobs.schemas.avro.EventMetadata;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobFailed;
import dev.imagejobs.schemas.avro.RunEnded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each lifecycle record into its job's state, emits the summary of a completed job and the
 * {@code RunEnded} record of every run that ends, fails jobs the watchdog finds stuck (their
 * {@code RunEnded} goes out with the {@code JobFailed}, without waiting for it to come back), and
 * dead-letters records it cannot decode or process. Store writes and outputs of one record or
 * punctuation commit in one transaction (exactly-once).
 */
final class JobLifecycleProcessor implements Processor<byte[], byte[], byte[], Outbound> {

  private static final Logger log = LoggerFactory.getLogger(JobLifecycleProcessor.class);
  /** Spans: a completed summary's publication, the watchdog failing a job, and its JobFailed's publication. */
  static final String COMPLETED_PUBLISH = "image-jobs.completed.publish";
  static final String WATCHDOG = "image-jobs.watchdog";
  static final String WATCHDOG_PUBLISH = "image-jobs.watchdog.publish";

  private final StreamsSettings settings;
  private final LifecycleCodec lifecycleCodec;
  private final CompletedJobCodec completedCodec;
  private final RunEndedCodec endedRunsCodec;
  private final JobTracing tracing;

  private ProcessorContext<byte[], Outbound> context;
  private KeyValueStore<String, JobState> jobStates;
  private KeyValueStore<String, Long> watchdogArms;
  /** Wall-clock time generation last took a job of this partition out of queued (or this task started). */
  private long lastStartMs;

  JobLifecycleProcessor(StreamsSettings settings, LifecycleCodec lifecycleCodec, CompletedJobCodec completedCodec,
      RunEndedCodec endedRunsCodec, JobTracing tracing) {
    this.settings = settings;
    this.lifecycleCodec = lifecycleCodec;
    this.completedCodec = completedCodec;
    this.endedRunsCodec = endedRunsCodec;
    this.tracing = tracing;
  }

  @Override
  public void init(ProcessorContext<byte[], Outbound> context) {
    this.context = context;
    this.jobStates = context.getStateStore(CompletionTopology.JOB_STATES);
    this.watchdogArms = context.getStateStore(CompletionTopology.WATCHDOG_ARMS);
    this.lastStartMs = context.currentSystemTimeMs();
    context.schedule(settings.watchdogInterval(), PunctuationType.WALL_CLOCK_TIME, this::failStuckJobs);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    LifecycleEvent event;
    try {
      event = decode(record);
    } catch (UndecodableEventException | UnprocessableRecordException e) {
      deadLetter(record, e);
      return;
    }
    // A span per record, child of the span that sent it; what it forwards are its children. A
    // failure is thrown on to Kafka Streams as before.
    tracing.consumeNow(record.headers(), event.jobId(), event.type().simpleName(), () -> fold(record, event));
  }

  private void fold(Record<byte[], byte[]> record, LifecycleEvent event) {
    JobState current = jobStates.get(event.jobId());
    FoldResult result;
    Record<byte[], Outbound> summary = null;
    try {
      result = JobFold.apply(current, event);
      if (result instanceof FoldResult.Applied applied && event.type() == EventType.JOB_COMPLETED) {
        summary = summaryRecord(record, applied.after());
      }
    } catch (RuntimeException e) {
      // Nothing is written before this point, so a record the fold chokes on changes no state.
      deadLetter(record, e);
      return;
    }
    if (result instanceof FoldResult.Applied applied) {
      if (current != null && current.status() == JobStatus.QUEUED && applied.statusChanged()
          && !Watchdog.PRODUCER.equals(event.metadata().getProducer())) {
        lastStartMs = context.currentSystemTimeMs();
      }
      apply(applied);
      if (applied.statusChanged() && applied.after().status().isTerminal()) {
        EventMetadata ended = event.metadata();
        context.forward(endedRun(applied.after(), applied.after().status(), ended.getProducer(), ended.getOccurredAt(),
            record.timestamp()));
      }
    } else if (result instanceof FoldResult.Duplicate duplicate) {
      log.info("Skipped {} of job {} at {}: {}",
          event.type().simpleName(), event.jobId(), position(), duplicate.reason());
    } else if (result instanceof FoldResult.Rejected rejected) {
      log.warn("Rejected {} of job {} in status {} at {}: {}", event.type().simpleName(), event.jobId(),
          current == null ? "(none)" : current.status().wireName(), position(), rejected.reason());
    }
    if (summary != null) {
      context.forward(summary);
    }
  }

  private LifecycleEvent decode(Record<byte[], byte[]> record) {
    LifecycleEvent event = lifecycleCodec.decode(record.value());
    if (record.key() == null) {
      throw new UnprocessableRecordException("Record has no key; the key must be the job id " + event.jobId());
    }
    String key = new String(record.key(), StandardCharsets.UTF_8);
    if (!key.equals(event.jobId())) {
      throw new UnprocessableRecordException("Key " + key + " is not the job id " + event.jobId() + " of the event");
    }
    return event;
  }

  private void apply(FoldResult.Applied applied) {
    JobState state = applied.after();
    jobStates.put(state.jobId(), state);
    if (applied.statusChanged()) {
      // The deadline runs from when this topology saw the status change, not from the event's
      // time, so replaying an old topic does not fail jobs that completed later in it.
      if (state.status().isTerminal()) {
        watchdogArms.delete(state.jobId());
      } else {
        watchdogArms.put(state.jobId(), context.currentSystemTimeMs());
      }
    }
  }

  private Record<byte[], Outbound> summaryRecord(Record<byte[], byte[]> source, JobState completed) {
    ImageJobCompleted summary = CompletedSummaries.of(completed);
    Outbound value = new Outbound(Outbound.Destination.COMPLETED, completedCodec.encode(summary));
    Headers headers = CompletedSummaries.headers(summary);
    tracing.emitting(headers, completed.jobId(), COMPLETED_PUBLISH);
    return new Record<>(source.key(), value, source.timestamp(), headers);
  }

  private void deadLetter(Record<byte[], byte[]> record, Exception failure) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    Headers headers = DeadLetters.headers(record.headers(), failure, source, context.applicationId());
    log.warn("Dead-lettered {}-{}@{}: {}", source.topic(), source.partition(), source.offset(),
        DeadLetters.reason(failure));
    context.forward(record
        .withValue(new Outbound(Outbound.Destination.DEAD_LETTER, record.value()))
        .withHeaders(headers));
  }

  /** Wall-clock punctuation: fails every job that stayed in its status past the deadline, once. */
  private void failStuckJobs(long timestamp) {
    Instant now = Instant.ofEpochMilli(timestamp);
    List<JobState> overdue = new ArrayList<>();
    try (KeyValueIterator<String, Long> arms = watchdogArms.all()) {
      while (arms.hasNext()) {
        KeyValue<String, Long> arm = arms.next();
        JobState state = jobStates.get(arm.key);
        if (state != null && Watchdog.isOverdue(state, Instant.ofEpochMilli(arm.value),
            Instant.ofEpochMilli(lastStartMs), now, settings)) {
          overdue.add(state);
        }
      }
    }
    for (JobState state : overdue) {
      JobFailed failed = Watchdog.timeout(state, settings.deadline(state.status()), now);
      LifecycleEvent event = LifecycleEvent.of(failed);
      Headers headers = new RecordHeaders();
      CloudEventHeaders.write(headers, event);
      // A span in the job's trace (the traceparent its state keeps), written into the headers.
      tracing.continuing(state.traceparent(), WATCHDOG, state.jobId(),
          () -> {
            tracing.emitting(headers, state.jobId(), WATCHDOG_PUBLISH);
            return null;
          });
      // Disarmed until the status changes again, so each stuck status is failed only once.
      watchdogArms.delete(state.jobId());
      log.warn("Watchdog failed job {}: {}", state.jobId(), failed.getMessage());
      context.forward(new Record<>(
          state.jobId().getBytes(StandardCharsets.UTF_8),
          new Outbound(Outbound.Destination.LIFECYCLE, lifecycleCodec.encode(failed)),
          timestamp,
          headers));
      // In the same transaction: generation and upload learn of the end before this JobFailed is read back.
      context.forward(endedRun(state, JobStatus.FAILED, Watchdog.PRODUCER, now, timestamp));
    }
  }

  /** The {@code RunEnded} record of the job's current run, which has just ended in {@code status}. */
  private Record<byte[], Outbound> endedRun(
      JobState ended, JobStatus status, String endedBy, Instant endedAt, long timestamp) {
    RunEnded value = RunEnded.newBuilder()
        .setJobId(ended.jobId())
        .setTenantId(ended.tenantId())
        .setRun(ended.retries())
        .setStatus(status.wireName())
        .setEndedBy(endedBy)
        .setEndedAt(endedAt)
        .build();
    return new Record<>(ended.jobId().getBytes(StandardCharsets.UTF_8),
        new Outbound(Outbound.Destination.ENDED_RUNS, endedRunsCodec.encode(value)), timestamp);
  }

  private String position() {
    return context.recordMetadata()
        .map(source -> source.topic() + "-" + source.partition() + "@" + source.offset())
        .orElse("(unknown offset)");
  }
}
