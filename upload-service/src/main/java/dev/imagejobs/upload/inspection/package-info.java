/**
 * Checks a staged image before it is stored: magic bytes against the declared type, size, the
 * dimensions read from the header, aspect ratio and checksum.
 */
package dev.imagejobs.upload.inspection;
