/**
 * The upload feature: consumes {@code ImageGenerated}, checks the staged artifact, stores it at its
 * final path without ever overwriting, and announces {@code JobCompleted} or {@code JobFailed}; a
 * job whose cancel was requested is announced {@code JobCanceled} instead, and nothing is stored.
 */
package dev.imagejobs.upload.uploads;
