package dev.imagejobs.gateway.jobs;

/**
 * A named style a request can refer to by id; its text goes into the job's spec and the provider
 * adds it to the prompt.
 *
 * @param id what requests send as {@code styleCapsuleId}
 * @param styleText the style description
 */
record StyleCapsule(String id, String styleText) {}
