/**
 * The transactional outbox: events are stored in Postgres with the change that caused them and a
 * relay publishes them to the lifecycle topic afterwards, so job creation never waits for Kafka.
 */
package dev.imagejobs.gateway.outbox;
