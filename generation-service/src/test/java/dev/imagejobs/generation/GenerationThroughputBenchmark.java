package dev.imagejobs.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.messaging.testing.ThroughputMeter;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.JobRequested;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * How many jobs per second the generation service takes from {@code JobRequested} to
 * {@code ImageGenerated} with the local provider at no latency, against the embedded broker and a
 * filesystem staging store; not part of {@code verify}. Run it on its own, for example
 *
 * <pre>
 * ./mvnw -B -o verify -pl generation-service -am -Djacoco.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=GenerationThroughputBenchmark -Dbenchmark.jobs=3000 -Dimagejobs.providers.local.mode=prerendered
 * </pre>
 *
 * and add {@code -DargLine=-XX:StartFlightRecording=filename=generation.jfr,settings=profile} for a profile.
 * Every {@code imagejobs.*} setting can be given the same way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "imagejobs.topics.partitions=6")
@EmbeddedKafka(count = 1, bootstrapServersProperty = "spring.kafka.bootstrap-servers",
    brokerProperties = "auto.create.topics.enable=false")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GenerationThroughputBenchmark {
  private static final Logger log = LoggerFactory.getLogger(GenerationThroughputBenchmark.class);
  private static Path storage;

  @DynamicPropertySource
  static void storage(DynamicPropertyRegistry registry) throws Exception {
    storage = Files.createTempDirectory("generation-benchmark");
    registry.add("imagejobs.storage.dir", storage::toString);
  }

  @Autowired EmbeddedKafkaBroker broker;

  @AfterAll
  void deleteStorage() {
    FileSystemUtils.deleteRecursively(storage.toFile());
  }

  @Test
  void jobsPerSecondFromRequestToImageGenerated() {
    int warmup = Integer.getInteger("benchmark.warmup", 300);
    int jobs = Integer.getInteger("benchmark.jobs", 2000);
    int rounds = Integer.getInteger("benchmark.rounds", 3);
    try (ThroughputMeter meter = new ThroughputMeter(broker.getBrokersAsString())) {
      log.info("Warm-up: {}", meter.measure(requests(warmup), EventType.IMAGE_GENERATED, Duration.ofMinutes(10)));
      for (int round = 1; round <= rounds; round++) {
        ThroughputMeter.Result result =
            meter.measure(requests(jobs), EventType.IMAGE_GENERATED, Duration.ofMinutes(10));
        log.info("Generation round {}: {}", round, result);
        assertThat(result.jobs()).isEqualTo(jobs);
      }
    }
  }

  private static List<JobRequested> requests(int count) {
    List<JobRequested> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      JobRequested requested = Events.aJobRequested(UUID.randomUUID().toString());
      requested.getSpec().setPrompt("A lighthouse keeper with a red scarf, shot " + i);
      requests.add(requested);
    }
    return requests;
  }
}
