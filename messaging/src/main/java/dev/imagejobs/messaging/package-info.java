/**
 * Kafka glue every service shares: topic creation from configuration, a publisher that sends without
 * waiting and reports acknowledgements, the consumer that keeps many records in flight with its
 * dispatcher (job order, redelivery, dead letters), routing of raw records on {@code ce_type}; plus
 * the blob store wiring of the services that have a store.
 */
package dev.imagejobs.messaging;
