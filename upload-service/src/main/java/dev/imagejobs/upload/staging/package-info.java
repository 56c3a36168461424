/**
 * Housekeeping of the staging area: a periodic sweep removes staged images and cancel markers that
 * outlived every job that could still need them.
 */
package dev.imagejobs.upload.staging;
