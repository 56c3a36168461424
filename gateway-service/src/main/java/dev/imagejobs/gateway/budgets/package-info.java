/**
 * Cost budgets per tenant and project: set and read through the API, reserved by creations and
 * retries in the statement that writes them, settled by the projection when runs end.
 */
package dev.imagejobs.gateway.budgets;
