/**
 * Tests of the event streams: order, resumption, completion, the project stream, notifications
 * from other instances and recovery of the notification connection.
 */
package dev.imagejobs.gateway.stream;
