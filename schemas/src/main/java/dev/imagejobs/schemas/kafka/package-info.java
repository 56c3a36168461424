/**
 * Kafka serializers and deserializers for lifecycle events: Avro single-object values with the
 * CloudEvents headers written by the serializer.
 */
package dev.imagejobs.schemas.kafka;
