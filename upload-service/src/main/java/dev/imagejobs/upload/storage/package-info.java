/**
 * The blob store of the upload service: one filesystem or GCS store per bucket, holding both the
 * staged artifacts ({@code staging/}) and the final images.
 */
package dev.imagejobs.upload.storage;
