/**
 * The upload feature: consumes {@code ImageGenerated}, checks the staged artifact (each variant of
 * a job of several), stores it at its final path without ever overwriting, and announces
 * {@code JobCompleted} or {@code JobFailed}; a job whose cancel was requested is announced
 * {@code JobCanceled} instead, and nothing is stored. A {@code VariantSelected} replaces the image at
 * its job's path with the chosen variant, the one write that replaces.
 */
package dev.imagejobs.upload.uploads;
