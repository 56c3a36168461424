package dev.imagejobs.gateway.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Limits of every HTTP request.
 *
 * @param maxBodySize the largest request body accepted; a larger one is refused with 413
 * @param maxBatchBodySize the largest body of {@code POST /api/v1/images/batches}, which carries up
 *     to 100 job bodies; at least {@code maxBodySize}
 * @param maxReferenceSize the largest image accepted by {@code POST /api/v1/images/references}
 */
@ConfigurationProperties("imagejobs.http")
public record HttpSettings(DataSize maxBodySize, DataSize maxBatchBodySize, DataSize maxReferenceSize) {
  public HttpSettings {
    if (maxBodySize == null || maxBodySize.toBytes() < 1) {
      throw new IllegalArgumentException("imagejobs.http.max-body-size must be positive");
    }
    if (maxBatchBodySize == null || maxBatchBodySize.toBytes() < maxBodySize.toBytes()) {
      throw new IllegalArgumentException(
          "imagejobs.http.max-batch-body-size must be at least imagejobs.http.max-body-size");
    }
    if (maxReferenceSize == null || maxReferenceSize.toBytes() < 1) {
      throw new IllegalArgumentException("imagejobs.http.max-reference-size must be positive");
    }
  }
}
