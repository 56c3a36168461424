/**
 * Blob store SPI for staged artifacts and final images, with a filesystem store (the local default)
 * and a Google Cloud Storage store, opened by {@link dev.imagejobs.storage.BlobStores}; the same
 * contract tests run against every store.
 */
package dev.imagejobs.storage;
