package dev.imagejobs.webhooks.budgets;

import dev.imagejobs.schemas.BudgetEventCodec;
import dev.imagejobs.schemas.CloudEventHeaders;
import dev.imagejobs.schemas.avro.BudgetThresholdReached;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes each budget threshold reached (a {@code budget_alerts} row, written by the statement
 * that crossed it) as a {@code BudgetThresholdReached} on the budgets topic, at least once and in
 * order per project: every poll interval, in one transaction, it locks the earliest unpublished
 * alert of each project ({@code FOR UPDATE SKIP LOCKED}, so instances never publish the same one at
 * once, and a project's next alert waits until the one before is out), sends them, waits for the
 * broker's acknowledgements and only then marks them published. A crash or a broker outage between
 * the send and the commit publishes an alert again under the same event id, which consumers drop.
 * It runs on its own thread: an unreachable broker delays budget events, never webhook deliveries.
 */
public class BudgetEventPublisher implements SmartLifecycle {
  /** {@code ce_source /image-jobs/webhooks}: the service that publishes them. */
  static final String PRODUCER = "webhooks";
  static final String TYPE = "dev.imagejobs.budgets." + BudgetThresholdReached.getClassSchema().getName();

  private static final Logger log = LoggerFactory.getLogger(BudgetEventPublisher.class);
  private static final int BATCH = 100;
  private static final String DUE = """
      SELECT a.id, a.tenant_id, a.project_id, a.threshold_percent, a.amount_micros, a.spent_micros,
        a.reserved_micros, a.period_start, a.created_at
      FROM budget_alerts a
      WHERE a.published_at IS NULL AND NOT EXISTS (SELECT FROM budget_alerts p WHERE p.published_at IS NULL
        AND p.tenant_id = a.tenant_id AND p.project_id = a.project_id AND p.id < a.id)
      ORDER BY a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED
      """;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final KafkaTemplate<byte[], byte[]> kafka;
  private final String topic;
  private final Duration interval;
  private final Duration sendTimeout;
  private final BudgetEventCodec codec = new BudgetEventCodec();
  private final Counter published;
  private ScheduledExecutorService thread;
  private volatile boolean running;

  public BudgetEventPublisher(JdbcTemplate jdbc, TransactionTemplate transactions, KafkaTemplate<byte[], byte[]> kafka,
      String topic, Duration interval, Duration sendTimeout, MeterRegistry meters) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.kafka = kafka;
    this.topic = topic;
    this.interval = interval;
    this.sendTimeout = sendTimeout;
    this.published = Counter.builder("imagejobs.budgets.events.published")
        .description("Budget thresholds reached, published on the budgets topic").register(meters);
  }

  /** The event id of an alert: the same for every publication of it. */
  public static String eventId(long alertId) {
    return UUID.nameUUIDFromBytes(("budget-alert-" + alertId).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * Publishes the alerts that are due now, one round.
   *
   * @return how many were published
   */
  public int publishDue() {
    Integer count = transactions.execute(status -> {
      List<Alert> alerts = jdbc.query(DUE, BudgetEventPublisher::alert, BATCH);
      if (alerts.isEmpty()) {
        return 0;
      }
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (Alert alert : alerts) {
        BudgetThresholdReached event = alert.event();
        String key = event.getTenantId() + "/" + event.getProjectId();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
            key.getBytes(StandardCharsets.UTF_8), codec.encode(event),
            CloudEventHeaders.of(event.getEventId(), PRODUCER, TYPE, event.getOccurredAt(), key));
        sends.add(kafka.send(record));
      }
      awaitAcknowledged(sends);
      jdbc.update("UPDATE budget_alerts SET published_at = now() WHERE id = ANY (?)",
          (Object) alerts.stream().map(Alert::id).toArray(Long[]::new));
      return alerts.size();
    });
    int done = count == null ? 0 : count;
    published.increment(done);
    return done;
  }

  private void awaitAcknowledged(List<CompletableFuture<?>> sends) {
    try {
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while publishing budget events", e);
    } catch (ExecutionException | TimeoutException e) {
      // The transaction rolls back: the alerts stay unpublished and go again next round.
      throw new IllegalStateException("Budget events not acknowledged: " + e, e);
    }
  }

  private void publishQuietly() {
    try {
      while (running && publishDue() == BATCH) {
        // A full batch: more may be due at once.
      }
    } catch (RuntimeException e) {
      log.warn("Could not publish budget events, trying again in {}: {}", interval, e.getMessage());
    }
  }

  private static Alert alert(ResultSet row, int index) throws SQLException {
    long id = row.getLong("id");
    long amount = row.getLong("amount_micros");
    long spent = row.getLong("spent_micros");
    long reserved = row.getLong("reserved_micros");
    return new Alert(id, BudgetThresholdReached.newBuilder()
        .setEventId(eventId(id))
        .setTenantId(row.getString("tenant_id"))
        .setProjectId(row.getString("project_id"))
        .setThresholdPercent(row.getInt("threshold_percent"))
        .setAmountMicros(amount)
        .setSpentMicros(spent)
        .setReservedMicros(reserved)
        .setRemainingMicros(Math.max(0, amount - spent - reserved))
        .setPeriodStart(row.getTimestamp("period_start").toInstant())
        .setOccurredAt(row.getTimestamp("created_at").toInstant())
        .build());
  }

  @Override
  public synchronized void start() {
    thread = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "budget-events"));
    running = true;
    thread.scheduleWithFixedDelay(this::publishQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (thread != null) {
      thread.shutdown();
      try {
        thread.awaitTermination(sendTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private record Alert(long id, BudgetThresholdReached event) {}
}
