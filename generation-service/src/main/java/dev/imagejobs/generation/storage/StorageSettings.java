package dev.imagejobs.generation.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the bucket shared with the upload service lives.
 *
 * @param dir directory holding the buckets
 * @param bucket bucket name
 */
@ConfigurationProperties("imagejobs.storage")
record StorageSettings(String dir, String bucket) {}
