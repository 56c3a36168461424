/**
 * Upload service: checks the images the generation service staged and stores them at their final
 * path, announcing the outcome on the lifecycle topic.
 */
package dev.imagejobs.upload;
