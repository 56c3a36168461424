package dev.imagejobs.gateway.projection;

import java.util.HashMap;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The projection's consumer offsets, kept in Postgres beside the rows they produced: saved in the
 * batch's transaction, so after any crash the read model and its position agree.
 */
final class ProjectionOffsets {
  private final DatabaseClient db;
  private final String consumerGroup;
  private final String topic;

  ProjectionOffsets(DatabaseClient db, String consumerGroup, String topic) {
    this.db = db;
    this.consumerGroup = consumerGroup;
    this.topic = topic;
  }

  /** The next offset to read, by partition; partitions never written are absent. */
  Mono<Map<Integer, Long>> load() {
    return db.sql("""
            SELECT partition, next_offset FROM projection_offsets
            WHERE consumer_group = :group AND topic = :topic""")
        .bind("group", consumerGroup)
        .bind("topic", topic)
        .map(row -> Map.entry(row.get("partition", Integer.class), row.get("next_offset", Long.class)))
        .all()
        .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
  }

  /** Records the next offsets of a batch. Call inside the batch's transaction. */
  Mono<Void> save(Map<Integer, Long> nextOffsets) {
    return Flux.fromIterable(nextOffsets.entrySet())
        .concatMap(entry -> db.sql("""
                INSERT INTO projection_offsets (consumer_group, topic, partition, next_offset, updated_at)
                VALUES (:group, :topic, :partition, :next_offset, now())
                ON CONFLICT (consumer_group, topic, partition)
                DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at""")
            .bind("group", consumerGroup)
            .bind("topic", topic)
            .bind("partition", entry.getKey())
            .bind("next_offset", entry.getValue())
            .fetch()
            .rowsUpdated())
        .then();
  }
}
