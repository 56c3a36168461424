/**
 * Webhook endpoints per tenant and project: registered (after a signed test ping), listed, changed,
 * their secrets rotated, their delivery log read and deliveries sent again. The webhook service
 * delivers to them (docs/webhooks.md).
 */
package dev.imagejobs.gateway.webhooks;
