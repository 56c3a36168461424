/**
 * What an image is, read from its bytes without decoding it: its format from the magic bytes and
 * its pixel size from the header. Shared by every check of images entering the store (generated
 * images in the upload service, reference images uploaded through the gateway).
 */
package dev.imagejobs.storage.images;
