package dev.imagejobs.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.schemas.CompletedJobCodec;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.avro.ImageJobCompleted;
import dev.imagejobs.schemas.avro.JobType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Runs the example consumer against a real broker and summaries encoded the way the streams service does. */
class CompletedJobsConsumerIT {
  private static EmbeddedKafkaKraftBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = new EmbeddedKafkaKraftBroker(1, 2, Topics.COMPLETED.name());
    broker.afterPropertiesSet();
  }

  @AfterAll
  static void stopBroker() {
    broker.destroy();
  }

  @Test
  void givenCompletedSummariesOnTheTopic_thenTheExampleConsumerDecodesEachWithTheAvscFilesAlone() throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (String jobId : List.of("job-1", "job-2")) {
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(Topics.COMPLETED.name(), jobId, new CompletedJobCodec().encode(summary(jobId)));
        record.headers().add("ce_type", CompletedJobsConsumer.CE_TYPE.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();
      }
      ProducerRecord<String, byte[]> other = new ProducerRecord<>(Topics.COMPLETED.name(), "job-3", new byte[] {1});
      other.headers().add("ce_type", "com.example.Other".getBytes(StandardCharsets.UTF_8));
      producer.send(other).get();
    }
    List<CompletedImage> received = new CopyOnWriteArrayList<>();

    try (CompletedJobsConsumer consumer = new CompletedJobsConsumer(broker.getBrokersAsString(), "example-team")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.pollOnce(Duration.ofMillis(200), received::add);
        return received.size() >= 2;
      });
    }

    assertThat(received).extracting(CompletedImage::jobId).containsExactlyInAnyOrder("job-1", "job-2");
    CompletedImage first = received.stream().filter(i -> i.jobId().equals("job-1")).findFirst().orElseThrow();
    assertThat(first).isEqualTo(new CompletedImage("job-1", "tenant-a", "p1", "ASSET_IMAGE_KEY",
        "gs://asset-images/project_p1/branch_main/master-assets/hero_job-1.png", "ab".repeat(32), 38700));
  }

  private static ImageJobCompleted summary(String jobId) {
    return ImageJobCompleted.newBuilder()
        .setJobId(jobId).setCompletedEventId("event-" + jobId).setTenantId("tenant-a")
        .setJobType(JobType.ASSET_IMAGE_KEY).setProjectId("p1").setBranchId("main").setAssetId("hero")
        .setPrompt("A lighthouse keeper").setAspectRatio("1:1")
        .setStoragePath("project_p1/branch_main/master-assets/hero_" + jobId + ".png")
        .setObjectUri("gs://asset-images/project_p1/branch_main/master-assets/hero_" + jobId + ".png")
        .setContentType("image/png").setSizeBytes(1234).setWidth(1024).setHeight(1024).setSha256("ab".repeat(32))
        .setEstimatedCostMicros(39000).setActualCostMicros(38700).setProvider("nano-banana")
        .setModel("gemini-2.5-flash-image").setAttempts(1).setRetries(0)
        .setCreatedAt(Instant.parse("2026-11-24T10:00:00Z")).setStartedAt(Instant.parse("2026-11-24T10:00:01Z"))
        .setCompletedAt(Instant.parse("2026-11-24T10:00:09Z"))
        .build();
  }
}
