/**
 * The webhook service: {@code intake} turns the jobs' events into deliveries for the endpoints
 * that want them, {@code delivery} sends them, signed, retried and logged (docs/webhooks.md).
 */
package dev.imagejobs.webhooks;
