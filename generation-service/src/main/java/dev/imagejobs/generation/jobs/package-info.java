/**
 * Runs requested jobs, many at once: announces the start, calls the provider, stages the artifact
 * and announces the image or the failure, committing offsets only after the outcome is acknowledged.
 */
package dev.imagejobs.generation.jobs;
