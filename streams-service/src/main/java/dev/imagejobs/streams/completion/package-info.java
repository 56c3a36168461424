/**
 * The completion topology, free of Spring: folds each job's lifecycle events into its state,
 * emits one {@code ImageJobCompleted} per completed job, fails stuck jobs and dead-letters poison records.
 */
package dev.imagejobs.streams.completion;
