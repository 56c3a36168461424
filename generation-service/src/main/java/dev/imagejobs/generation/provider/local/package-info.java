/**
 * The {@code local} provider: draws a deterministic picture from the prompt without any network, with
 * knobs for latency and failure injection used by tests and benchmarks.
 */
package dev.imagejobs.generation.provider.local;
