/**
 * Runs requested jobs: announces the start, calls the provider, stages the artifact and announces
 * the image or the failure.
 */
package dev.imagejobs.generation.jobs;
