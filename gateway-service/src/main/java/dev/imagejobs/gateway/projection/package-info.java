/**
 * Keeps the read model equal to the fold of the lifecycle topic: one consumer thread applies each
 * polled batch and its offsets in one Postgres transaction, and sends poison records to the DLQ.
 */
package dev.imagejobs.gateway.projection;
