/**
 * Declares the catalogue's topics at start-up so KafkaAdmin creates the missing ones; broker
 * auto-creation is never relied on.
 */
package dev.imagejobs.gateway.topics;
