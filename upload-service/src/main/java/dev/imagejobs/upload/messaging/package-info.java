/**
 * Kafka plumbing of the upload service: topic creation, the lifecycle event publisher, and the
 * dead-letter publishing that keeps a partition flowing past a poison record.
 */
package dev.imagejobs.upload.messaging;
