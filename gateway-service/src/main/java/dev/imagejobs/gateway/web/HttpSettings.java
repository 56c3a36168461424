package dev.imagejobs.gateway.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Limits of every HTTP request.
 *
 * @param maxBodySize the largest request body accepted; a larger one is refused with 413
 */
@ConfigurationProperties("imagejobs.http")
record HttpSettings(DataSize maxBodySize) {
  HttpSettings {
    if (maxBodySize == null || maxBodySize.toBytes() < 1) {
      throw new IllegalArgumentException("imagejobs.http.max-body-size must be positive");
    }
  }
}
