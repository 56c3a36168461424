package dev.imagejobs.webhooks.intake;

import dev.imagejobs.messaging.ConsumerLoop;
import dev.imagejobs.messaging.Later;
import dev.imagejobs.messaging.LifecycleRecords;
import dev.imagejobs.messaging.WebhookEventType;
import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.TopicNames;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Reads the lifecycle topic and the completed summaries, writes each poll's deliveries and
 * summaries in one transaction, then commits the poll's offsets: a crash between the two reads the
 * poll again and writes nothing twice. While the database is away the poll is read again after a
 * growing pause, so nothing is skipped. A record that cannot be decoded is skipped (the gateway's
 * projection dead-letters the same record with its reason).
 */
public class WebhookIntake extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(WebhookIntake.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final Map<EventType, WebhookEventType> TYPES = Map.of(
      EventType.JOB_COMPLETED, WebhookEventType.JOB_COMPLETED,
      EventType.JOB_FAILED, WebhookEventType.JOB_FAILED,
      EventType.JOB_CANCELED, WebhookEventType.JOB_CANCELED);
  private static final Map<EventType, JobStatus> ENDED_AS = Map.of(
      EventType.JOB_COMPLETED, JobStatus.COMPLETED,
      EventType.JOB_FAILED, JobStatus.FAILED,
      EventType.JOB_CANCELED, JobStatus.CANCELED);
  /** The endings, and retries, which take a job of a batch out of the ended ones again. */
  private static final Set<EventType> WANTED = EnumSet.of(EventType.JOB_COMPLETED, EventType.JOB_FAILED,
      EventType.JOB_CANCELED, EventType.JOB_RETRY_REQUESTED);

  private final TopicNames names;
  private final LifecycleRecords records;
  private final CompletedJobCodec summaries = new CompletedJobCodec();
  private final WebhookPayloads payloads;
  private final IntakeStore store;
  private final Runnable written;

  /**
   * @param written told after a poll wrote deliveries, so they are sent without waiting for the next look
   */
  WebhookIntake(ConsumerFactory<?, ?> consumers, TopicNames names, LifecycleRecords records,
      WebhookPayloads payloads, IntakeStore store, Runnable written) {
    super(consumers, "webhook-intake");
    this.names = names;
    this.records = records;
    this.payloads = payloads;
    this.store = store;
    this.written = written;
  }

  @Override
  protected Properties overrides() {
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group reads the topics from their start: events that happened before an endpoint was
    // registered are not delivered to it (IntakeStore), so this loses nothing and floods nobody.
    overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return overrides;
  }

  @Override
  protected Duration stopTimeout() {
    return Duration.ofSeconds(15);
  }

  @Override
  protected void loop() {
    consumer().subscribe(List.of(names.lifecycle(), names.completed()));
    Duration backoff = MIN_BACKOFF;
    try {
      while (isRunning()) {
        ConsumerRecords<byte[], byte[]> polled = consumer().poll(POLL);
        if (polled.isEmpty()) {
          continue;
        }
        IntakeBatch batch = read(polled);
        try {
          int count = batch.isEmpty() ? 0 : store.write(batch);
          consumer().commitSync(next(polled));
          backoff = MIN_BACKOFF;
          if (count > 0) {
            this.written.run();
          }
        } catch (CommitFailedException | RebalanceInProgressException e) {
          // The partitions moved on: their new owner reads these records again and writes nothing twice.
          log.info("Offsets of a poll not committed ({}); the records are read again", e.getMessage());
        } catch (DataAccessException e) {
          log.warn("Could not write webhook deliveries ({}); reading the same records again in {}", e.getMessage(),
              backoff);
          rewind(polled);
          Later.waiting(backoff, Runnable::run).join();
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
      }
    } catch (WakeupException e) {
      // stop() woke the consumer: the loop ends.
    }
  }

  private IntakeBatch read(ConsumerRecords<byte[], byte[]> polled) {
    IntakeBatch batch = new IntakeBatch();
    for (ConsumerRecord<byte[], byte[]> record : polled) {
      try {
        if (record.topic().equals(names.completed())) {
          ImageJobCompleted summary = summaries.decode(record.value());
          batch.summaries.add(new IntakeBatch.Summary(summary.getJobId(), summary.getTenantId(),
              summary.getProjectId(), payloads.summary(summary)));
        } else {
          Optional<LifecycleEvent> event = records.decodeIfWanted(record, WANTED);
          event.ifPresent(wanted -> {
            if (wanted.type() == EventType.JOB_RETRY_REQUESTED) {
              batch.retries.add(new IntakeBatch.Retry(wanted.jobId(), wanted.metadata().getRun()));
            } else {
              batch.endings.add(ending(wanted));
            }
          });
        }
      } catch (RuntimeException e) {
        log.warn("Skipping record {}-{}@{} that cannot be read: {}", record.topic(), record.partition(),
            record.offset(), e.getMessage());
      }
    }
    return batch;
  }

  private IntakeBatch.Ending ending(LifecycleEvent event) {
    WebhookEventType type = TYPES.get(event.type());
    String data = type == WebhookEventType.JOB_COMPLETED ? null : payloads.ending(event);
    return new IntakeBatch.Ending(event.metadata().getEventId(), event.jobId(), type.wireName(), data,
        event.metadata().getOccurredAt(), event.metadata().getRun(), ENDED_AS.get(event.type()).wireName());
  }

  private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecords<byte[], byte[]> polled) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : polled.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> records = polled.records(partition);
      offsets.put(partition, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
    }
    return offsets;
  }

  private void rewind(ConsumerRecords<byte[], byte[]> polled) {
    for (TopicPartition partition : polled.partitions()) {
      consumer().seek(partition, polled.records(partition).get(0).offset());
    }
  }
}
