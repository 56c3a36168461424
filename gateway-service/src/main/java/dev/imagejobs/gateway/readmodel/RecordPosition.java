package dev.imagejobs.gateway.readmodel;

/**
 * Where an event was read from the lifecycle topic; recorded in the job's history.
 *
 * @param partition the Kafka partition
 * @param offset the record's offset in it
 */
public record RecordPosition(int partition, long offset) {}
