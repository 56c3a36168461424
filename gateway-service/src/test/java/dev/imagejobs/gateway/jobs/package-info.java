/**
 * Tests of the jobs API: request validation, pricing, tenant resolution and, against a real broker
 * and database, the HTTP endpoints.
 */
package dev.imagejobs.gateway.jobs;
