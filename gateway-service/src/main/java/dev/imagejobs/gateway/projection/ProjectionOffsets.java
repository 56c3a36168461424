package dev.imagejobs.gateway.projection;

import java.util.HashMap;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
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

  /**
   * Records the next offsets of a batch in one statement. Call inside the batch's transaction. A
   * stored offset never moves backwards: a projector that lost its partitions in a rebalance and
   * commits late (its events are all duplicates by then) cannot rewind the new owner.
   */
  Mono<Void> save(Map<Integer, Long> nextOffsets) {
    if (nextOffsets.isEmpty()) {
      return Mono.empty();
    }
    Integer[] partitions = nextOffsets.keySet().toArray(Integer[]::new);
    Long[] next = new Long[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      next[i] = nextOffsets.get(partitions[i]);
    }
    return db.sql("""
            INSERT INTO projection_offsets (consumer_group, topic, partition, next_offset, updated_at)
            SELECT :group, :topic, p.partition, p.next_offset, now()
            FROM unnest(CAST(:partitions AS integer[]), CAST(:next_offsets AS bigint[])) AS p(partition, next_offset)
            ON CONFLICT (consumer_group, topic, partition)
            DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at
            WHERE projection_offsets.next_offset <= EXCLUDED.next_offset""")
        .bind("group", consumerGroup)
        .bind("topic", topic)
        .bind("partitions", partitions)
        .bind("next_offsets", next)
        .fetch()
        .rowsUpdated()
        .then();
  }
}
