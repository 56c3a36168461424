package dev.imagejobs.messaging.testing;

import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark helper on a real broker: publishes a batch of lifecycle events without waiting for each
 * acknowledgement, then counts the events of those jobs that a service writes, on their
 * {@code ce_type} header and without decoding them, until every job got the awaited one. Reports
 * the wall time and the CPU time of the whole JVM (service, broker and this meter) over that
 * window. Shipped in the messaging test-jar for every service's benchmark.
 */
public final class ThroughputMeter implements AutoCloseable {
  private final KafkaProducer<String, SpecificRecord> events;
  private final KafkaConsumer<byte[], byte[]> observer;

  public ThroughputMeter(String bootstrapServers) {
    events = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(), new LifecycleEventSerializer());
    observer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    observer.partitionsFor(Topics.LIFECYCLE.name())
        .forEach(info -> partitions.add(new TopicPartition(Topics.LIFECYCLE.name(), info.partition())));
    observer.assign(partitions);
    observer.seekToEnd(partitions);
    // seekToEnd is lazy: resolve the positions now, so events of this run are all seen.
    partitions.forEach(observer::position);
  }

  /**
   * Publishes {@code batch} (flushing once at the end), then waits until every job of the batch has
   * an event of type {@code awaited} on the lifecycle topic.
   *
   * @throws IllegalStateException when that takes longer than {@code timeout}
   */
  public Result measure(List<? extends SpecificRecord> batch, EventType awaited, Duration timeout) {
    Set<String> waiting = new HashSet<>();
    batch.forEach(event -> waiting.add(LifecycleEvent.of(event).jobId()));
    int jobs = waiting.size();
    long cpuBefore = processCpuNanos();
    long writtenBefore = bytesWrittenToDisk();
    long started = System.nanoTime();
    for (SpecificRecord event : batch) {
      events.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), LifecycleEvent.of(event).jobId(), event));
    }
    events.flush();
    long deadline = started + timeout.toNanos();
    byte[] type = awaited.ceType().getBytes(StandardCharsets.UTF_8);
    while (!waiting.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(waiting.size() + " of " + jobs + " jobs got no " + awaited.simpleName()
            + " within " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> record : observer.poll(Duration.ofMillis(50))) {
        Optional<String> ceType = CloudEventHeaders.value(record.headers(), CloudEventHeaders.TYPE);
        if (record.key() != null && ceType.isPresent() && ceType.get().equals(awaited.ceType())) {
          waiting.remove(new String(record.key(), StandardCharsets.UTF_8));
        }
      }
    }
    long elapsed = System.nanoTime() - started;
    return new Result(jobs, Duration.ofNanos(elapsed), Duration.ofNanos(processCpuNanos() - cpuBefore),
        bytesWrittenToDisk() - writtenBefore);
  }

  /** Bytes this JVM caused to be written to storage ({@code /proc/self/io}), or 0 where unknown. */
  private static long bytesWrittenToDisk() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not Linux, or not readable: the figure is left out.
    }
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  @Override
  public void close() {
    events.close();
    observer.close();
  }

  /**
   * What one measured batch took.
   *
   * @param jobs jobs in the batch
   * @param wall from the first publish to the last awaited event
   * @param cpu CPU time of the whole JVM in that window
   * @param bytesWritten bytes the whole JVM wrote to storage in that window (broker log included)
   */
  public record Result(int jobs, Duration wall, Duration cpu, long bytesWritten) {
    public double jobsPerSecond() {
      return jobs / (wall.toNanos() / 1e9);
    }

    public double cpuMillisPerJob() {
      return cpu.toNanos() / 1e6 / jobs;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT,
          "%d jobs in %d ms: %.1f jobs/s, %.2f ms CPU and %.0f KB written to disk per job (whole JVM)",
          jobs, wall.toMillis(), jobsPerSecond(), cpuMillisPerJob(), bytesWritten / 1024.0 / jobs);
    }
  }
}
