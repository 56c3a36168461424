/**
 * The gateway of Image Jobs: accepts image requests over HTTP, records them with an outbox, and
 * serves the Postgres read model that a projection of the lifecycle topic keeps up to date.
 */
package dev.imagejobs.gateway;
