/**
 * Blob store SPI for staged artifacts and final images, with a filesystem implementation (the local
 * default); the same contract tests run against every store.
 */
package dev.imagejobs.storage;
