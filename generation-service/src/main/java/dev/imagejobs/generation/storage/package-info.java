/**
 * The staging store of generated artifacts: the bucket shared with the upload service, under the
 * {@code staging/} prefix.
 */
package dev.imagejobs.generation.storage;
