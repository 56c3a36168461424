/**
 * Tests of the read-model projection against a real broker and a real Postgres: folding, dedup,
 * offsets kept in Postgres, dead letters, replay and recovery from a database outage.
 */
package dev.imagejobs.gateway.projection;
