/**
 * The operators' view of the whole deployment, across tenants: jobs by status and age, stuck jobs,
 * throughput and latency, failures, consumer lag and backlog, jobs in flight per generation
 * instance, dead letters and spend, behind the operator role (docs/operations.md#operator-dashboard).
 */
package dev.imagejobs.gateway.operations;
