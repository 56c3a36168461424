package dev.imagejobs.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete consumer of {@code image-jobs.completed.v1} written with plain kafka-clients: it
 * checks the CloudEvents type header, finds the writer schema of each value by the fingerprint in its
 * Avro single-object header among the released {@code ImageJobCompleted} versions, decodes it with
 * Avro's generic reader into the newest version, and commits offsets after handling each batch
 * (at-least-once: handlers de-duplicate on {@code completedEventId} or the job id).
 */
public final class CompletedJobsConsumer implements AutoCloseable {
  public static final String TOPIC = "image-jobs.completed.v1";
  public static final String CE_TYPE = "dev.imagejobs.completed.ImageJobCompleted";
  private static final Logger log = LoggerFactory.getLogger(CompletedJobsConsumer.class);
  private static final int HEADER_LENGTH = 10;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<Long, Schema> writers = new HashMap<>();
  private final Schema reader;

  public CompletedJobsConsumer(String bootstrapServers, String groupId) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    Schema newest = null;
    for (int version = 1; ; version++) {
      Schema schema = releasedVersion(version);
      if (schema == null) {
        break;
      }
      writers.put(SchemaNormalization.parsingFingerprint64(schema), schema);
      newest = schema;
    }
    if (newest == null) {
      throw new IllegalStateException("No released ImageJobCompleted schema on the classpath");
    }
    reader = newest;
    consumer.subscribe(List.of(TOPIC));
  }

  /** Polls once, hands every completed image to {@code handler}, then commits. */
  public int pollOnce(Duration timeout, Consumer<CompletedImage> handler) {
    int handled = 0;
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      if (!CE_TYPE.equals(header(record, "ce_type"))) {
        log.warn("Skipping {}-{}@{}: unexpected ce_type {}", record.topic(), record.partition(), record.offset(),
            header(record, "ce_type"));
        continue;
      }
      GenericRecord summary = decode(record.value());
      handler.accept(new CompletedImage(
          summary.get("jobId").toString(),
          summary.get("tenantId").toString(),
          summary.get("projectId").toString(),
          summary.get("jobType").toString(),
          summary.get("objectUri").toString(),
          summary.get("sha256").toString(),
          (Long) summary.get("actualCostMicros")));
      handled++;
    }
    consumer.commitSync();
    return handled;
  }

  private GenericRecord decode(byte[] value) {
    if (value.length < HEADER_LENGTH || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
      throw new IllegalArgumentException("Not Avro single-object encoded");
    }
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = writers.get(fingerprint);
    if (writer == null) {
      throw new IllegalArgumentException("Unknown ImageJobCompleted version " + Long.toHexString(fingerprint)
          + ": update the .avsc files");
    }
    try {
      return new GenericDatumReader<GenericRecord>(writer, reader)
          .read(null, DecoderFactory.get().binaryDecoder(value, HEADER_LENGTH, value.length - HEADER_LENGTH, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static Schema releasedVersion(int version) {
    String resource = "image-jobs-schemas/ImageJobCompleted/v" + version + ".avsc";
    try (InputStream in = CompletedJobsConsumer.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
