package dev.imagejobs.storage;

import java.util.Map;

/**
 * Object metadata kept beside the bytes.
 *
 * @param contentType MIME type, e.g. {@code image/png}
 * @param cacheControl Cache-Control value served with the object
 * @param custom custom key/value metadata (job id, tenant, SHA-256)
 */
public record BlobMetadata(String contentType, String cacheControl, Map<String, String> custom) {
  public BlobMetadata {
    custom = Map.copyOf(custom);
  }
}
