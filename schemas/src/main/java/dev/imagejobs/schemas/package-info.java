/**
 * The wire contract every service shares: Avro lifecycle events, their single-object codec,
 * CloudEvents headers, the typed topic catalogue and the one job state machine.
 */
package dev.imagejobs.schemas;
