/**
 * Server-sent event streams of a job and of a project: replayed from the read model's history,
 * resumed after {@code Last-Event-ID}, kept live by Postgres {@code LISTEN/NOTIFY} wake-ups.
 */
package dev.imagejobs.gateway.stream;
