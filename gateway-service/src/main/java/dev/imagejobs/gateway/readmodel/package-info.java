/**
 * The Postgres read model: one row per job folded from its lifecycle events, and the job's event
 * history. Job creation and the projection apply events through the same code.
 */
package dev.imagejobs.gateway.readmodel;
