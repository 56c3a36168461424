package dev.imagejobs.gateway.outbox;

import dev.imagejobs.gateway.readmodel.SqlPart;
import dev.imagejobs.schemas.LifecycleCodec;
import dev.imagejobs.schemas.LifecycleEvent;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Where the gateway puts the events it owns. Rows hold the exact bytes that go on the wire
 * ({@link LifecycleCodec}); {@link #append} must run in the transaction of the change it
 * announces, and {@link #committed} wakes the relay once that transaction has committed.
 */
@Component
public class Outbox {
  private final DatabaseClient db;
  private final LifecycleCodec codec;
  private final OutboxRelay relay;

  Outbox(DatabaseClient db, LifecycleCodec codec, OutboxRelay relay) {
    this.db = db;
    this.codec = codec;
    this.relay = relay;
  }

  /**
   * Defines {@code appended}, which stores {@code event} for publication when the part named
   * {@code guard} returned a row: for the statement that creates a job.
   */
  public SqlPart appended(String guard, LifecycleEvent event) {
    return new SqlPart("appended AS (INSERT INTO outbox (job_id, event_type, payload)"
        + " SELECT :outbox_job_id, :outbox_event_type, :outbox_payload WHERE EXISTS (SELECT FROM " + guard + ")"
        + " RETURNING 1)", Map.of(
        "outbox_job_id", event.jobId(),
        "outbox_event_type", event.type().simpleName(),
        "outbox_payload", codec.encode(event.payload())));
  }

  /** Stores {@code event} for publication. Call inside a transaction. */
  public Mono<Void> append(LifecycleEvent event) {
    return db.sql("INSERT INTO outbox (job_id, event_type, payload) VALUES (:job_id, :event_type, :payload)")
        .bind("job_id", event.jobId())
        .bind("event_type", event.type().simpleName())
        .bind("payload", codec.encode(event.payload()))
        .fetch()
        .rowsUpdated()
        .then();
  }

  /** Tells the relay that new rows are committed, so they go out without waiting for its next poll. */
  public void committed() {
    relay.wake();
  }
}
