/**
 * Tests of the outbox relay against a real broker and a real Postgres: order per job, and rows
 * locked by another relay instance are left alone.
 */
package dev.imagejobs.gateway.outbox;
