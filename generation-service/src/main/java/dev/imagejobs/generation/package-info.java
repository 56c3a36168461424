/**
 * The generation service: takes requested jobs from the lifecycle topic, calls the image provider,
 * stages the artifact and announces it.
 */
package dev.imagejobs.generation;
