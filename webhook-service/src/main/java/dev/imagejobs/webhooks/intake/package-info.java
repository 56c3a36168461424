/**
 * Reads the lifecycle topic and the completed summaries and writes, in one transaction per poll,
 * a delivery for every endpoint that wants each ended job's event; offsets are committed after.
 */
package dev.imagejobs.webhooks.intake;
