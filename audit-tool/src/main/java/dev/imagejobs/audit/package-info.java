/**
 * The audit tool: prints the ordered history of a job or a project from the lifecycle topic, and
 * rebuilds the read model from offset 0 into a fresh schema to compare it with the live one. Read-only.
 */
package dev.imagejobs.audit;
