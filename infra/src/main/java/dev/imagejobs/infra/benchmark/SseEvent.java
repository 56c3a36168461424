package dev.imagejobs.infra.benchmark;

/**
 * One server-sent event as the client dispatches it.
 *
 * @param id the last event id seen on the stream (an {@code id:} field persists until the next one), or null
 * @param type the {@code event:} field, {@code message} when absent
 * @param data the {@code data:} lines joined with line feeds
 */
public record SseEvent(String id, String type, String data) {}
