package dev.imagejobs.schemas;

/**
 * A topic of the catalogue.
 *
 * @param name the Kafka topic name
 * @param description what it carries, for operators and the consumer guide
 */
public record Topic(String name, String description) {}
