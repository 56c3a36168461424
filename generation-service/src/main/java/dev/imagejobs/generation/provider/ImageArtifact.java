package dev.imagejobs.generation.provider;

import java.net.URI;

/**
 * What a provider returned: raw bytes, base64 text or a URL to fetch, with its declared content
 * type, any text the provider added, and the usage it billed.
 */
public sealed interface ImageArtifact {

  String contentType();

  String providerNotes();

  ProviderUsage usage();

  /** Raw image bytes. */
  record Bytes(byte[] content, String contentType, String providerNotes, ProviderUsage usage)
      implements ImageArtifact {}

  /** Base64-encoded image bytes, as the Gemini API returns them in {@code inlineData}. */
  record Base64(String data, String contentType, String providerNotes, ProviderUsage usage)
      implements ImageArtifact {}

  /** A URL the image can be downloaded from; the upload service fetches it. */
  record Url(URI url, String contentType, String providerNotes, ProviderUsage usage) implements ImageArtifact {}
}
