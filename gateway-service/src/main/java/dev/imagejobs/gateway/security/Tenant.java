package dev.imagejobs.gateway.security;

/**
 * The tenant a request acts for, taken from its verified token; declare it as a controller method
 * parameter to receive it.
 *
 * @param id the tenant id, always a valid API id
 */
public record Tenant(String id) {}
