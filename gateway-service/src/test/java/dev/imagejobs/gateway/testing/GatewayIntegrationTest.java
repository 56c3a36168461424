package dev.imagejobs.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.outbound.SecretBox;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.Topic;
import dev.imagejobs.schemas.Topics;
import dev.imagejobs.schemas.kafka.LifecycleEventSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the integration tests: the whole gateway on a random port against a real KRaft broker
 * and a real PostgreSQL (from Maven artifacts, or Testcontainers: {@link TestInfrastructure}), wired
 * through the same environment variables the local stack sets.
 * Topics are created by the gateway itself (broker auto-creation is off). Every integration test
 * class shares ONE Spring context, broker and database, which keeps the module's build fast: so
 * subclasses must not change the configuration (no {@code @TestPropertySource}, no mock beans),
 * must use their own tenants, projects and jobs, and must not rely on global counts.
 */
@ExtendWith(TestInfrastructure.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(TestInfrastructure.Lifetime.class)
public abstract class GatewayIntegrationTest {
  protected static final Duration PATIENCE = Duration.ofSeconds(30);
  protected static final Path STORAGE_DIR = createStorageDir();
  /** Creations a tenant may burst in tests before it is rate-limited. */
  protected static final int RATE_LIMIT_BURST = 25;
  /** Queued jobs a tenant may have in tests before creation is refused. */
  protected static final int MAX_QUEUED_PER_TENANT = 40;
  /** Event streams a tenant may keep open on the test gateway. */
  protected static final int MAX_STREAMS_PER_TENANT = 50;
  /** The key webhook secrets are sealed with. */
  protected static final String WEBHOOK_KEY = SecretBox.generateKey();
  private static final Set<Class<?>> SETTLED = ConcurrentHashMap.newKeySet();

  @Autowired
  protected WebTestClient http;

  private KafkaProducer<String, SpecificRecord> events;
  private KafkaProducer<String, byte[]> raw;

  @DynamicPropertySource
  static void environment(DynamicPropertyRegistry registry) {
    registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
    registry.add("imagejobs.database.host", TestPostgres::host);
    registry.add("imagejobs.database.port", TestPostgres::port);
    registry.add("imagejobs.database.name", () -> "postgres");
    registry.add("imagejobs.database.username", () -> "postgres");
    registry.add("imagejobs.storage.dir", STORAGE_DIR::toString);
    registry.add("imagejobs.storage.bucket", () -> "asset-images");
    registry.add("imagejobs.jwt.secret", () -> Tokens.SECRET);
    registry.add("imagejobs.projection.retry-max-backoff", () -> "1s");
    registry.add("imagejobs.rate-limit.rate-per-second", () -> "1");
    registry.add("imagejobs.rate-limit.burst", () -> Integer.toString(RATE_LIMIT_BURST));
    registry.add("imagejobs.admission.max-queued-per-tenant", () -> Integer.toString(MAX_QUEUED_PER_TENANT));
    registry.add("imagejobs.sse.heartbeat-interval", () -> "1s");
    registry.add("imagejobs.sse.max-streams-per-tenant", () -> Integer.toString(MAX_STREAMS_PER_TENANT));
    // Long enough that an event reaching a stream within seconds proves the notification path.
    registry.add("imagejobs.sse.reread-interval", () -> "5m");
    registry.add("imagejobs.sse.listener-min-backoff", () -> "100ms");
    registry.add("imagejobs.sse.listener-max-backoff", () -> "1s");
    // A price for the local model, so estimates are visible: per image, and per size for 2K.
    registry.add("imagejobs.pricing.models[local-v1].micros-per-image", () -> "1500");
    registry.add("imagejobs.pricing.models[local-v1].sizes[2K]", () -> "3000");
    registry.add("imagejobs.pricing.models[local-v1].micros-per-reference-image", () -> "100");
    // Start frames default to high priority; the other job types keep the built-in normal.
    registry.add("imagejobs.jobs.priorities.start-frame", () -> "high");
    // Webhook endpoints are test receivers on this machine.
    registry.add("imagejobs.webhooks.encryption-key", () -> WEBHOOK_KEY);
    registry.add("imagejobs.webhooks.allow-private-addresses", () -> "true");
    registry.add("imagejobs.webhooks.allow-http", () -> "true");
    registry.add("imagejobs.webhooks.timeout", () -> "3s");
    // The operator dashboard's figures computed afresh on every request.
    registry.add("imagejobs.operator.refresh-interval", () -> "0s");
  }

  /**
   * The first test of each class waits until work left by earlier classes (outbox rows, records
   * not yet projected) is done, so counters and positions the class observes are its own.
   */
  @BeforeEach
  void settleLeftoversOfEarlierClasses() {
    if (SETTLED.add(getClass())) {
      awaitOutboxDrained();
      awaitProjectionCaughtUp();
    }
  }

  /** A client acting for {@code tenant}, with a valid bearer token and a patience fit for streams. */
  protected WebTestClient as(String tenant) {
    return http.mutate()
        .defaultHeader(HttpHeaders.AUTHORIZATION, Tokens.bearer(tenant))
        .responseTimeout(PATIENCE)
        .build();
  }

  @BeforeEach
  void openProducers() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    events = new KafkaProducer<>(config, new StringSerializer(), new LifecycleEventSerializer());
    raw = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void closeProducers() {
    events.close();
    raw.close();
  }

  protected JdbcTemplate jdbc() {
    return new JdbcTemplate(TestPostgres.dataSource());
  }

  /** Publishes events to the lifecycle topic as the other services do, waiting for each ack. */
  protected List<RecordMetadata> publish(SpecificRecord... lifecycleEvents) {
    List<RecordMetadata> sent = new ArrayList<>();
    for (SpecificRecord event : lifecycleEvents) {
      String jobId = LifecycleEvent.of(event).jobId();
      sent.add(acknowledged(events.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), jobId, event))));
    }
    return sent;
  }

  /** Publishes arbitrary bytes to the lifecycle topic, e.g. a poison record. */
  protected RecordMetadata publishRaw(String key, byte[] value, Map<String, String> headers) {
    RecordHeaders recordHeaders = new RecordHeaders();
    headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
    return acknowledged(raw.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), null, key, value, recordHeaders)));
  }

  protected TopicReader reader(Topic topic) {
    return new TopicReader(TestKafka.bootstrapServers(), topic.name());
  }

  protected void awaitOutboxDrained() {
    await().atMost(PATIENCE).until(() -> jdbc().queryForObject("SELECT count(*) FROM outbox", Long.class) == 0);
  }

  /**
   * Waits until the stored offset of every lifecycle partition has reached its end offset as it is
   * now; records published meanwhile (the outbox relay's, say) may be applied too.
   */
  protected void awaitProjectionCaughtUp() {
    Map<TopicPartition, Long> end;
    try (TopicReader reader = reader(Topics.LIFECYCLE)) {
      end = reader.endOffsets();
    }
    await().atMost(PATIENCE).untilAsserted(() -> {
      Map<Integer, Long> stored = storedOffsets();
      end.forEach((partition, offset) -> {
        if (offset > 0) {
          assertThat(stored.get(partition.partition())).as("stored offset of %s", partition)
              .isGreaterThanOrEqualTo(offset);
        }
      });
    });
  }

  protected Map<Integer, Long> storedOffsets() {
    Map<Integer, Long> stored = new HashMap<>();
    jdbc().query("SELECT partition, next_offset FROM projection_offsets WHERE consumer_group = ? AND topic = ?",
        row -> {
          stored.put(row.getInt("partition"), row.getLong("next_offset"));
        },
        "image-jobs-gateway-projection", Topics.LIFECYCLE.name());
    return stored;
  }

  /** Creates a job through the API and returns its id. */
  protected String createJob(String tenant, String body) {
    String location = as(tenant).post().uri("/api/v1/images/jobs").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(body)
        .exchange()
        .expectStatus().isAccepted()
        .expectBody().returnResult().getResponseHeaders().getLocation().toString();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /**
   * Runs a job created through the API to completed, publishing its later events as the services
   * would, with its image at {@code tenant_{tenant}/done-{jobId}.png}; returns once the read model
   * shows it completed.
   */
  protected void completeJob(String tenant, String jobId) {
    LifecycleEvents job = LifecycleEvents.forJob(jobId, tenant);
    awaitOutboxDrained();
    publish(job.started(), job.generationStarted(1), job.imageGenerated(1500), job.uploadStarted(),
        job.completed("tenant_" + tenant + "/done-" + jobId + ".png", "cd".repeat(32), 4321));
    await().atMost(PATIENCE).untilAsserted(() -> as(tenant).get().uri("/api/v1/images/jobs/" + jobId).exchange()
        .expectBody().jsonPath("$.status").isEqualTo("completed"));
  }

  protected Map<String, Object> jobRow(String jobId) {
    return jdbc().queryForMap("SELECT * FROM jobs WHERE job_id = ?", jobId);
  }

  protected List<Map<String, Object>> history(String jobId) {
    return jdbc().queryForList("SELECT * FROM job_events WHERE job_id = ? ORDER BY seq", jobId);
  }

  private static RecordMetadata acknowledged(Future<RecordMetadata> send) {
    try {
      return send.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Not acknowledged", e.getCause());
    }
  }

  private static Path createStorageDir() {
    try {
      return Files.createTempDirectory("gateway-it-storage");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
