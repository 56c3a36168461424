/**
 * Kafka glue every service shares: topic creation from configuration, a publisher that waits for the
 * broker's acknowledgement, routing of raw records on {@code ce_type}, and the dead-letter path.
 */
package dev.imagejobs.messaging;
