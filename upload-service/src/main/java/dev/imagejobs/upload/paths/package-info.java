/**
 * Where a finished image is stored: the object layout of the image bucket, derived from the job's
 * spec with every id checked so none can escape its folder.
 */
package dev.imagejobs.upload.paths;
