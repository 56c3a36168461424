/**
 * The local stack: a KRaft Kafka broker, PostgreSQL and the three services as separate processes
 * sharing one state directory, started by {@link dev.imagejobs.infra.LocalStack} without Docker.
 */
package dev.imagejobs.infra;
