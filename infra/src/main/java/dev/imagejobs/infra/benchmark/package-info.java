/**
 * The benchmark behind {@code ./benchmark}: scenarios that each measure one figure the way its users
 * see it (open-loop load, event streams, the machine's own ceilings) on a fresh local stack, and the
 * reports that print and store every figure with the settings it was measured with.
 */
package dev.imagejobs.infra.benchmark;
