/**
 * Kafka glue every service shares: topic creation from configuration, a publisher that waits for the
 * broker's acknowledgement, routing of raw records on {@code ce_type}, and the dead-letter path; plus
 * the blob store wiring of the services that have a store.
 */
package dev.imagejobs.messaging;
