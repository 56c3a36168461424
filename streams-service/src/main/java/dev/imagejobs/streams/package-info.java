/**
 * The streams service: runs the Kafka Streams topology that folds the lifecycle topic into job
 * state, publishes completed-job summaries and fails stuck jobs.
 */
package dev.imagejobs.streams;
