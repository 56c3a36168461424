/**
 * Test doubles of the generation service's collaborators: a counting provider, an in-memory blob
 * store and a recording event publisher; and builders of reference images stored as uploads.
 */
package dev.imagejobs.generation.testing;
