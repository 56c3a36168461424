/**
 * Tests of the read-model fold: statuses, counters, timestamps and history sequence per event.
 */
package dev.imagejobs.gateway.readmodel;
