package dev.imagejobs.generation.jobs;

import dev.imagejobs.generation.provider.CappedBody;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns a provider's artifact into bytes: as given, decoded from base64, or downloaded from the URL
 * the provider answered with. Downloads are checked against the {@link ArtifactUrlPolicy} (no
 * requests to internal addresses), asynchronous and capped in size; their failures are
 * classified like the provider's own, since the image is not ours until it is staged.
 */
class ArtifactReader {
  private final HttpClient http;
  private final ArtifactUrlPolicy urls;
  private final Duration timeout;
  private final long maxBytes;

  /**
   * @param http must not follow redirects: a redirect could lead past {@code urls} to an internal host
   */
  ArtifactReader(HttpClient http, ArtifactUrlPolicy urls, Duration timeout, long maxBytes) {
    this.http = http;
    this.urls = urls;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<ArtifactBytes> read(ImageArtifact artifact) {
    if (artifact instanceof ImageArtifact.Bytes bytes) {
      return CompletableFuture.completedFuture(new ArtifactBytes(bytes.content(), bytes.contentType()));
    }
    if (artifact instanceof ImageArtifact.Base64 base64) {
      try {
        // Strict apart from line breaks: a lenient decoder would turn corrupt data into a corrupt image.
        byte[] decoded = Base64.getDecoder().decode(base64.data().replace("\r", "").replace("\n", ""));
        return CompletableFuture.completedFuture(new ArtifactBytes(decoded, base64.contentType()));
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(
            new ProviderException(ErrorClass.PERMANENT, "INVALID_BASE64", "The provider's image data is not base64", e));
      }
    }
    return download((ImageArtifact.Url) artifact);
  }

  private CompletableFuture<ArtifactBytes> download(ImageArtifact.Url artifact) {
    try {
      urls.check(artifact.url());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new ProviderException(ErrorClass.PERMANENT, "INVALID_ARTIFACT_URL",
          "The provider's image URL was refused: " + e.getMessage(), e));
    }
    HttpRequest request = HttpRequest.newBuilder(artifact.url()).timeout(timeout).GET().build();
    return http.sendAsync(request, info -> info.statusCode() / 100 == 2
            ? new CappedBody(maxBytes, () -> new ProviderException(ErrorClass.PERMANENT, "ARTIFACT_TOO_LARGE",
                "The provider's image is larger than " + maxBytes + " bytes"))
            : HttpResponse.BodySubscribers.replacing(null))
        .handle((response, failure) -> {
          if (failure != null) {
            throw new CompletionException(downloadFailure(artifact, failure));
          }
          if (response.statusCode() / 100 != 2) {
            int status = response.statusCode();
            boolean temporary = status == 408 || status == 429 || status >= 500;
            throw new ProviderException(temporary ? ErrorClass.TEMPORARY : ErrorClass.PERMANENT,
                "ARTIFACT_HTTP_" + status, "Downloading the image from " + ArtifactUrlPolicy.redacted(artifact.url())
                    + " answered " + status);
          }
          String contentType = artifact.contentType() != null
              ? artifact.contentType()
              : response.headers().firstValue("Content-Type").map(ArtifactReader::mediaType).orElse(null);
          return new ArtifactBytes(response.body(), contentType);
        });
  }

  private static ProviderException downloadFailure(ImageArtifact.Url artifact, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    for (Throwable link = cause; link != null; link = link.getCause()) {
      if (link instanceof ProviderException known) {
        return known;
      }
      if (link instanceof HttpTimeoutException) {
        return new ProviderException(ErrorClass.TIMEOUT, "ARTIFACT_DOWNLOAD_TIMEOUT",
            "Downloading the image from " + ArtifactUrlPolicy.redacted(artifact.url()) + " timed out", link);
      }
    }
    return new ProviderException(ErrorClass.TEMPORARY, "ARTIFACT_DOWNLOAD_FAILED",
        "Downloading the image from " + ArtifactUrlPolicy.redacted(artifact.url()) + " failed: " + cause, cause);
  }

  private static String mediaType(String header) {
    int parameters = header.indexOf(';');
    return (parameters < 0 ? header : header.substring(0, parameters)).trim();
  }
}
