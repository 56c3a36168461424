package dev.imagejobs.gateway.testing;

import dev.imagejobs.gateway.readmodel.ApplyOutcome;
import dev.imagejobs.gateway.readmodel.ConsumedEvent;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordPosition;
import dev.imagejobs.schemas.LifecycleEvent;
import io.r2dbc.spi.Closeable;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The write path of a second gateway instance: the read model's own code on connections that are
 * not the gateway's, committing events the way another instance's projection would. Whatever the
 * gateway under test learns of them, it learns through the database.
 */
public final class OtherGatewayInstance implements AutoCloseable {
  private final ConnectionFactory connections;
  private final DatabaseClient db;
  private final ReadModel readModel;
  private final TransactionalOperator transaction;

  public OtherGatewayInstance() {
    connections = ConnectionFactories.get(
        TestPostgres.r2dbcUrl());
    db = DatabaseClient.create(connections);
    readModel = new ReadModel(db);
    transaction = TransactionalOperator.create(new R2dbcTransactionManager(connections));
  }

  /** Applies {@code event} as the other instance's projection would, committing before it returns. */
  public ApplyOutcome apply(SpecificRecord event, RecordPosition position) {
    return ReadModel.inTransaction(transaction, () -> readModel.apply(
            List.of(new ConsumedEvent(LifecycleEvent.of(event), position)), ReadModel.projectionBacklogShard(0)))
        .map(outcomes -> outcomes.get(0))
        .block(Duration.ofSeconds(30));
  }

  /**
   * Starts a transaction that takes its id at once, then waits for {@code release} before it applies
   * {@code event} and commits: a writer that began before others but commits after them. Returns
   * once the transaction has its id; the future completes with the outcome on commit.
   */
  public CompletableFuture<ApplyOutcome> applyLater(SpecificRecord event, CompletableFuture<Void> release) {
    CompletableFuture<Void> started = new CompletableFuture<>();
    CompletableFuture<ApplyOutcome> committed = ReadModel.inTransaction(transaction, () ->
            db.sql("SELECT pg_current_xact_id()").fetch().one()
                .doOnNext(row -> started.complete(null))
                .then(Mono.fromFuture(release))
                .then(readModel.apply(List.of(new ConsumedEvent(LifecycleEvent.of(event), null)),
                    ReadModel.projectionBacklogShard(0))))
        .map(outcomes -> outcomes.get(0))
        .toFuture();
    started.orTimeout(30, TimeUnit.SECONDS).join();
    return committed;
  }

  @Override
  public void close() {
    if (connections instanceof Closeable closeable) {
      Mono.from(closeable.close()).block(Duration.ofSeconds(10));
    }
  }
}
