/**
 * Runs the completion topology inside the Spring application: settings, the exactly-once
 * {@code KafkaStreams} lifecycle and its health.
 */
package dev.imagejobs.streams.runtime;
