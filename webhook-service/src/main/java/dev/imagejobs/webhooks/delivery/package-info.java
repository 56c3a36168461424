/**
 * Sends the deliveries that have come due: in order per job and endpoint, signed, with retries on
 * a schedule, a log of every attempt, and endpoints disabled after failing for too long.
 */
package dev.imagejobs.webhooks.delivery;
