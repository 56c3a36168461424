package dev.imagejobs.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.local.LocalImageProvider;
import dev.imagejobs.messaging.EventPublishingException;
import dev.imagejobs.messaging.LifecyclePublisher;
import dev.imagejobs.messaging.testing.LifecycleTopicProbe;
import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.avro.ImageGenerated;
import dev.imagejobs.schemas.avro.JobRequested;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.util.FileSystemUtils;

/**
 * No double charge across a crash or a rebalance: a generation service that dies after staging an
 * image but before announcing it leaves the request uncommitted, and the instance that takes over
 * announces the staged image instead of paying the provider again; partitions that move while
 * provider calls run are handed over only once those calls are done.
 */
@EmbeddedKafka(count = 1, brokerProperties = "auto.create.topics.enable=false")
class GenerationCrashIT {
  private static final String PAID = "paid";
  /** Provider calls per job across both service instances. */
  private static final Map<String, AtomicInteger> CALLS_PER_JOB = new ConcurrentHashMap<>();

  private static Path storage;

  @BeforeAll
  static void createStorage() throws Exception {
    storage = Files.createTempDirectory("generation-crash-it");
  }

  @AfterAll
  static void deleteStorage() {
    FileSystemUtils.deleteRecursively(storage.toFile());
  }

  @Test
  void givenAServiceKilledBetweenStagingAndAnnouncing_whenAnotherInstanceTakesOver_thenTheStagedImageIsAnnouncedWithoutASecondCall(
      EmbeddedKafkaBroker broker) {
    String jobId = UUID.randomUUID().toString();
    JobRequested requested = Events.aJobRequested(jobId);
    requested.getSpec().setProvider(PAID);

    // It gives its unfinished job one second when it stops, so the job stays unannounced.
    ConfigurableApplicationContext dying = service(broker, DiesBeforeAnnouncing.class,
        "--imagejobs.generation.drain-timeout=1s");
    // The service created the topics at start-up.
    LifecycleTopicProbe probe = new LifecycleTopicProbe(broker.getBrokersAsString());
    probe.publish(requested);
    Path staged = storage.resolve("asset-images/staging/" + jobId + "/attempt-1.png");
    await().atMost(LifecycleTopicProbe.TIMEOUT).until(() -> Files.exists(staged));
    dying.close();
    assertThat(probe.eventsOf(jobId)).extracting(LifecycleEvent::type).doesNotContain(EventType.IMAGE_GENERATED);

    try (ConfigurableApplicationContext successor = service(broker, Healthy.class,
        "--imagejobs.generation.drain-timeout=1s")) {
      List<LifecycleEvent> events = probe.awaitEventsOf(jobId,
          e -> e.stream().anyMatch(event -> event.type() == EventType.IMAGE_GENERATED));
      ImageGenerated generated = events.get(events.size() - 1).payload(ImageGenerated.class);
      assertThat(generated.getStagedRef()).isEqualTo("staging/" + jobId + "/attempt-1.png");
      assertThat(CALLS_PER_JOB.get(jobId)).hasValue(1);
    } finally {
      probe.close();
    }
  }

  @Test
  void givenASecondInstanceJoiningWhileJobsRun_whenThePartitionsMove_thenNoJobIsPaidForTwice(
      EmbeddedKafkaBroker broker) {
    List<String> jobIds = new ArrayList<>();
    // Ten-second provider calls are still running when the second instance has started and joined;
    // without the drain on revocation, the new owners of their partitions call the provider again.
    try (ConfigurableApplicationContext first = service(broker, Healthy.class, "--imagejobs.generation.drain-timeout=60s",
        "--imagejobs.providers.local.latency=10s");
        LifecycleTopicProbe probe = new LifecycleTopicProbe(broker.getBrokersAsString())) {
      for (int i = 0; i < 12; i++) {
        JobRequested requested = Events.aJobRequested(UUID.randomUUID().toString());
        requested.getSpec().setProvider(PAID);
        jobIds.add(requested.getMetadata().getJobId());
        probe.publish(requested);
      }
      await().atMost(LifecycleTopicProbe.TIMEOUT).until(() -> jobIds.stream().anyMatch(CALLS_PER_JOB::containsKey));

      // A second instance joins the group: the partitions are revoked while provider calls run.
      try (ConfigurableApplicationContext second = service(broker, Healthy.class,
          "--imagejobs.generation.drain-timeout=60s", "--imagejobs.providers.local.latency=10s")) {
        Map<String, List<LifecycleEvent>> events = await().atMost(Duration.ofSeconds(60)).until(probe::eventsByJob,
            all -> jobIds.stream().allMatch(jobId -> all.getOrDefault(jobId, List.of()).stream()
                .anyMatch(e -> e.type() == EventType.IMAGE_GENERATED)));

        assertThat(jobIds).allSatisfy(jobId -> assertThat(CALLS_PER_JOB.get(jobId)).as(jobId).hasValue(1));
        assertThat(jobIds).allSatisfy(jobId -> assertThat(events.get(jobId)).extracting(LifecycleEvent::type)
            .filteredOn(type -> type == EventType.GENERATION_STARTED).hasSize(1));
      }
    }
  }

  private static ConfigurableApplicationContext service(EmbeddedKafkaBroker broker, Class<?> variant, String... extra) {
    // Command-line arguments, which outrank application.yml.
    List<String> args = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
        "--server.port=0",
        "--imagejobs.storage.dir=" + storage,
        "--imagejobs.topics.partitions=2",
        // The dying instance must not run the job again before it is killed.
        "--imagejobs.generation.redelivery-delay=10m"));
    args.addAll(List.of(extra));
    return new SpringApplicationBuilder(GenerationApplication.class, PaidProvider.class, variant)
        .run(args.toArray(String[]::new));
  }

  @Configuration(proxyBeanMethods = false)
  static class PaidProvider {
    @Bean
    ImageProvider paidProvider(LocalImageProvider local) {
      return new ImageProvider() {
        @Override
        public String name() {
          return PAID;
        }

        @Override
        public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
          CALLS_PER_JOB.computeIfAbsent(request.jobId(), id -> new AtomicInteger()).incrementAndGet();
          return local.generate(request);
        }
      };
    }
  }

  /** The process dies right after staging: its ImageGenerated never reaches the broker. */
  @Configuration(proxyBeanMethods = false)
  static class DiesBeforeAnnouncing {
    @Bean
    static BeanPostProcessor dieBeforeAnnouncing() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
          if (!(bean instanceof LifecyclePublisher publisher)) {
            return bean;
          }
          return (LifecyclePublisher) event -> {
            if (event instanceof ImageGenerated) {
              return CompletableFuture.failedFuture(
                  new EventPublishingException("The process was killed", new IllegalStateException("killed")));
            }
            return publisher.send(event);
          };
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Healthy {}
}
