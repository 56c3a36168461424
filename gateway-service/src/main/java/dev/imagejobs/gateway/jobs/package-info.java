/**
 * The jobs HTTP API: create a job (read-model row and outbox event in one transaction), read it
 * back, and serve its image to the tenant that owns it.
 */
package dev.imagejobs.gateway.jobs;
