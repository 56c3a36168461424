/**
 * Tests that the topic settings of the environment reach the topics declared at start-up.
 */
package dev.imagejobs.gateway.topics;
