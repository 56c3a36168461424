package dev.imagejobs.gateway.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the filesystem blob store of final images lives: one store per bucket at {@code dir/bucket}.
 *
 * @param dir the storage root shared with the upload service
 * @param bucket the bucket of final images
 */
@ConfigurationProperties("imagejobs.storage")
record StorageSettings(String dir, String bucket) {}
