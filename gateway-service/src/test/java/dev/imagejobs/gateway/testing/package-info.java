/**
 * Shared test code: event builders, the embedded PostgreSQL extension, and the base of the
 * integration tests that run the gateway against a real Kafka broker and a real Postgres.
 */
package dev.imagejobs.gateway.testing;
