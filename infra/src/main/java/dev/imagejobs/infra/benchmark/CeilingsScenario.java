package dev.imagejobs.infra.benchmark;

import dev.imagejobs.schemas.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's own ceilings, measured on a fresh stack with idle services: how many durable
 * commits PostgreSQL makes per second (one connection, then eight sharing each WAL flush), how
 * many records one idempotent {@code acks=all} producer gets acknowledged per second, and how many
 * 4 KiB write + fdatasync the disk of the state directory does per second. Every figure the system
 * reaches is bounded by these on this machine.
 */
final class CeilingsScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(CeilingsScenario.class);
  private static final String SCRATCH_TABLE = "benchmark_commit_scratch";
  private static final int RECORD_BYTES = 512;
  private static final int BLOCK_BYTES = 4096;
  private static final long FSYNC_FILE_BYTES = 16L * 1024 * 1024;
  private static final Duration SETTLE = Duration.ofSeconds(1);

  @Override
  public String name() {
    return "ceilings";
  }

  @Override
  public String title() {
    return "the machine's own ceilings";
  }

  @Override
  public void run(BenchmarkRun run, ScenarioResult.Builder result) throws Exception {
    Duration each = run.options().scaled(Duration.ofSeconds(10), Duration.ofSeconds(5));
    BenchmarkStack stack = run.stacks().shared(name(), Map.of()).stack();
    result.settings(stack.facts()).setting("duration of each measurement", each.toSeconds() + " s, after "
        + SETTLE.toSeconds() + " s not counted");

    double one;
    double eight;
    try {
      execute(stack, "CREATE TABLE IF NOT EXISTS " + SCRATCH_TABLE + " (id bigserial PRIMARY KEY, payload text NOT NULL)");
      one = durableCommits(stack, 1, each, result);
      eight = durableCommits(stack, 8, each, result);
    } finally {
      execute(stack, "DROP TABLE IF EXISTS " + SCRATCH_TABLE);
    }
    double kafka = kafkaRecords(stack, each, result);
    double fsyncOne = fsyncs(stack.stateDir(), 1, each, result);
    double fsyncEight = fsyncs(stack.stateDir(), 8, each, result);
    run.ceilings(new Ceilings(one, eight, kafka, fsyncOne, fsyncEight));
  }

  /** Single-row INSERT + COMMIT in a loop on {@code connections} connections, each its own thread. */
  private double durableCommits(BenchmarkStack stack, int connections, Duration duration, ScenarioResult.Builder result)
      throws Exception {
    LatencyRecorder latency = new LatencyRecorder();
    long commits = loop(connections, duration, () -> {
      Connection connection = DriverManager.getConnection(stack.jdbcUrl());
      connection.setAutoCommit(false);
      PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCRATCH_TABLE + " (payload) VALUES (?)");
      return new Step() {
        @Override
        public void run(boolean counted) throws SQLException {
          long started = System.nanoTime();
          insert.setString(1, "job requested");
          insert.executeUpdate();
          connection.commit();
          if (counted) {
            latency.recordNanos(System.nanoTime() - started);
          }
        }

        @Override
        public void close() throws SQLException {
          connection.close();
        }
      };
    });
    double perSecond = commits / (double) duration.toSeconds();
    result.figure(Figure.of("PostgreSQL durable commits/s, " + connections + " connection" + (connections == 1 ? "" : "s"),
        "/s", perSecond, "single-row INSERT + COMMIT per loop, fsync=on, synchronous_commit=on"));
    result.figure(Figure.latency("PostgreSQL commit latency, " + connections + " connection"
        + (connections == 1 ? "" : "s"), latency.summary(), "INSERT + COMMIT round trip"));
    LOG.info("Durable commits over {} connection(s): {}/s", connections, Numbers.format(perSecond));
    return perSecond;
  }

  private static void execute(BenchmarkStack stack, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(stack.jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** One producer sending 512-byte values keyed like job ids to a scratch topic as fast as acknowledgements allow. */
  private double kafkaRecords(BenchmarkStack stack, Duration duration, ScenarioResult.Builder result) {
    String topic = "benchmark-scratch-" + UUID.randomUUID().toString().substring(0, 8);
    try (KafkaTopics topics = new KafkaTopics(stack.bootstrapServers())) {
      int partitions = topics.partitions(Topics.LIFECYCLE.name());
      topics.create(topic, partitions);
      try {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        byte[] value = new byte[RECORD_BYTES];
        new Random(42).nextBytes(value);
        Random keys = new Random(11);
        LongAdder acknowledged = new LongAdder();
        LongAdder failed = new LongAdder();
        long counted;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties)) {
          long settled = System.nanoTime() + SETTLE.toNanos();
          long end = settled + duration.toNanos();
          long atStart = -1;
          while (System.nanoTime() < end) {
            if (atStart < 0 && System.nanoTime() >= settled) {
              atStart = acknowledged.sum();
            }
            producer.send(new ProducerRecord<>(topic, jobIdLike(keys), value), (metadata, error) -> {
              if (error == null) {
                acknowledged.increment();
              } else {
                failed.increment();
              }
            });
          }
          counted = acknowledged.sum() - Math.max(0, atStart);
          producer.flush();
        }
        double perSecond = counted / (double) duration.toSeconds();
        result.figure(Figure.of("Kafka records/s, acks=all, idempotent, " + RECORD_BYTES + " B values", "/s", perSecond,
            "one producer, producer defaults otherwise (linger, batch size), " + partitions
                + " partitions, replication factor 1" + (failed.sum() > 0 ? "; " + failed.sum() + " sends failed" : "")));
        LOG.info("Kafka acknowledged {}/s", Numbers.format(perSecond));
        return perSecond;
      } finally {
        topics.delete(topic);
      }
    }
  }

  /** 4 KiB positional write + {@code force(false)} (fdatasync) in a loop, one file per thread. */
  private double fsyncs(Path directory, int threads, Duration duration, ScenarioResult.Builder result) throws Exception {
    byte[] block = new byte[BLOCK_BYTES];
    new Random(7).nextBytes(block);
    List<Path> files = new ArrayList<>();
    try {
      long syncs = loop(threads, duration, () -> {
        Path file = Files.createTempFile(directory, "fsync-scratch-", ".bin");
        synchronized (files) {
          files.add(file);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        ByteBuffer buffer = ByteBuffer.wrap(block);
        long[] position = {0};
        return new Step() {
          @Override
          public void run(boolean counted) throws IOException {
            buffer.rewind();
            channel.write(buffer, position[0]);
            channel.force(false);
            position[0] = (position[0] + BLOCK_BYTES) % FSYNC_FILE_BYTES;
          }

          @Override
          public void close() throws IOException {
            channel.close();
          }
        };
      });
      double perSecond = syncs / (double) duration.toSeconds();
      result.figure(Figure.of("disk fsync/s, " + threads + " thread" + (threads == 1 ? "" : "s"), "/s", perSecond,
          "4 KiB write + fdatasync per loop, a file per thread, in the state directory " + directory.getParent()));
      LOG.info("fsync with {} thread(s): {}/s", threads, Numbers.format(perSecond));
      return perSecond;
    } finally {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** A random UUID without SecureRandom's cost: the producer, not the key generator, is measured. */
  private static String jobIdLike(Random random) {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  /** One step of a measured loop, on a resource of its own. */
  private interface Step extends AutoCloseable {
    void run(boolean counted) throws Exception;
  }

  /**
   * Runs a step per thread in a loop for a short settling time (not counted) and then {@code duration};
   * returns the steps completed within {@code duration}.
   */
  private static long loop(int threads, Duration duration, Callable<Step> steps) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long settled = System.nanoTime() + SETTLE.toNanos();
      long end = settled + duration.toNanos();
      List<Future<Long>> counts = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        counts.add(pool.submit(() -> {
          try (Step step = steps.call()) {
            long count = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
              boolean counted = now >= settled;
              step.run(counted);
              if (counted && System.nanoTime() <= end) {
                count++;
              }
            }
            return count;
          }
        }));
      }
      long total = 0;
      for (Future<Long> count : counts) {
        total += count.get(duration.plus(SETTLE).toSeconds() + 60, TimeUnit.SECONDS);
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
