package dev.imagejobs.gateway.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the gateway serves images it streams itself (the filesystem store, or a bucket without signed URLs).
 *
 * @param maxConcurrentDownloads images one instance streams at once; past it a download gets {@code 503}
 */
@ConfigurationProperties("imagejobs.images")
record ImageDownloadSettings(@DefaultValue("32") int maxConcurrentDownloads) {
  ImageDownloadSettings {
    if (maxConcurrentDownloads < 1) {
      throw new IllegalArgumentException("imagejobs.images.max-concurrent-downloads must be at least 1");
    }
  }
}
