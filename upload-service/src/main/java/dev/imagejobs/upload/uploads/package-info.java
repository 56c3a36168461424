/**
 * The upload feature: consumes {@code ImageGenerated}, checks the staged artifact, stores it at its
 * final path without ever overwriting, and announces {@code JobCompleted} or {@code JobFailed}.
 */
package dev.imagejobs.upload.uploads;
