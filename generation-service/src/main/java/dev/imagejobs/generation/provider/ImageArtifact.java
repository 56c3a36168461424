package dev.imagejobs.generation.provider;

import java.net.URI;
import java.util.Objects;

/**
 * What a provider returned: raw bytes, base64 text or a URL to fetch, with its declared content
 * type (null when it declared none), any text the provider added, and the usage it billed.
 */
public sealed interface ImageArtifact {

  String contentType();

  String providerNotes();

  ProviderUsage usage();

  /** Raw image bytes. */
  record Bytes(byte[] content, String contentType, String providerNotes, ProviderUsage usage)
      implements ImageArtifact {
    public Bytes {
      Objects.requireNonNull(content, "content");
      usage = usage == null ? ProviderUsage.NONE : usage;
    }
  }

  /** Base64-encoded image bytes, as the Gemini API returns them in {@code inlineData}. */
  record Base64(String data, String contentType, String providerNotes, ProviderUsage usage)
      implements ImageArtifact {
    public Base64 {
      Objects.requireNonNull(data, "data");
      usage = usage == null ? ProviderUsage.NONE : usage;
    }
  }

  /** A URL the image can be downloaded from; the generation service fetches and stages it. */
  record Url(URI url, String contentType, String providerNotes, ProviderUsage usage) implements ImageArtifact {
    public Url {
      Objects.requireNonNull(url, "url");
      usage = usage == null ? ProviderUsage.NONE : usage;
    }
  }
}
