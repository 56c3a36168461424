/**
 * The blob store of the upload service: one filesystem store per bucket, holding both the staged
 * artifacts ({@code staging/}) and the final images.
 */
package dev.imagejobs.upload.storage;
