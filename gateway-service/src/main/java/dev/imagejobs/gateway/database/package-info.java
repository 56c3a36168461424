/**
 * Connections to the database beyond the API's pool: a pool of its own for each kind of work that
 * must not wait behind requests (the projection, the event streams), and single connections.
 */
package dev.imagejobs.gateway.database;
