package dev.imagejobs.upload.storage;

import dev.imagejobs.storage.BlobPath;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the filesystem store lives.
 *
 * @param dir the storage directory shared with the other services
 * @param bucket the bucket inside it; one store per bucket
 */
@ConfigurationProperties("imagejobs.storage")
record StorageProperties(String dir, String bucket) {

  StorageProperties {
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException("imagejobs.storage.dir must be set");
    }
    BlobPath.requireSegment(bucket);
  }
}
