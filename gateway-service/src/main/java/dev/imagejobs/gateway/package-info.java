/**
 * The gateway of Image Jobs: accepts image requests of authenticated tenants over HTTP, records them
 * with an outbox, and serves and streams the Postgres read model that a projection keeps up to date.
 */
package dev.imagejobs.gateway;
