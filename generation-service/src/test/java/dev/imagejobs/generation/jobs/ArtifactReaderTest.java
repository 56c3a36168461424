package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArtifactReaderTest {
  private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3};
  private static final int MAX_BYTES = 64;
  private static HttpServer server;

  private final ArtifactReader reader = new ArtifactReader(HttpClient.newHttpClient(), ArtifactUrlPolicyTest.LOCAL_TEST_SERVERS, Duration.ofSeconds(5), MAX_BYTES);

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/image.png", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "image/png; charset=binary");
      respond(exchange, 200, IMAGE);
    });
    server.createContext("/huge.png", exchange -> {
      byte[] huge = new byte[MAX_BYTES * 4];
      Arrays.fill(huge, (byte) 7);
      // Chunked, with no Content-Length to check up front.
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(huge);
      }
    });
    server.createContext("/gone.png", exchange -> respond(exchange, 404, new byte[0]));
    server.createContext("/busy.png", exchange -> respond(exchange, 503, new byte[0]));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  @Test
  void givenRawBytes_thenTheyArePassedOnAsTheyAre() throws Exception {
    ArtifactBytes bytes = reader.read(new ImageArtifact.Bytes(IMAGE, "image/png", null, ProviderUsage.NONE))
        .get(5, TimeUnit.SECONDS);

    assertThat(bytes.content()).isEqualTo(IMAGE);
    assertThat(bytes.contentType()).isEqualTo("image/png");
  }

  @Test
  void givenInvalidBase64_thenTheArtifactIsRejectedPermanently() {
    assertFailure(new ImageArtifact.Base64("not base64 at all!", "image/png", null, ProviderUsage.NONE),
        ErrorClass.PERMANENT, "INVALID_BASE64");
  }

  @Test
  void givenAUrl_thenTheImageIsDownloadedWithTheServersContentType() throws Exception {
    ArtifactBytes bytes = reader.read(new ImageArtifact.Url(url("/image.png"), null, null, ProviderUsage.NONE))
        .get(5, TimeUnit.SECONDS);

    assertThat(bytes.content()).isEqualTo(IMAGE);
    assertThat(bytes.contentType()).isEqualTo("image/png");
  }

  @Test
  void givenAUrlThatIsGone_thenTheDownloadFailsPermanently() {
    assertFailure(new ImageArtifact.Url(url("/gone.png"), "image/png", null, ProviderUsage.NONE),
        ErrorClass.PERMANENT, "ARTIFACT_HTTP_404");
  }

  @Test
  void givenASignedUrlThatFails_thenTheMessageNamesItWithoutItsQueryString() {
    URI signed = URI.create(url("/gone.png") + "?X-Goog-Signature=s1gnature&X-Goog-Credential=cred3ntial");

    assertThat(reader.read(new ImageArtifact.Url(signed, "image/png", null, ProviderUsage.NONE)))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.getMessage())
            .isEqualTo("Downloading the image from " + url("/gone.png") + " answered 404")
            .doesNotContain("s1gnature", "cred3ntial"));
  }

  @Test
  void givenAUrlWhoseServerIsBusy_thenTheDownloadFailsTemporarily() {
    assertFailure(new ImageArtifact.Url(url("/busy.png"), "image/png", null, ProviderUsage.NONE),
        ErrorClass.TEMPORARY, "ARTIFACT_HTTP_503");
  }

  @Test
  void givenAnImageLargerThanTheCap_thenTheDownloadStopsAndFailsPermanently() {
    assertFailure(new ImageArtifact.Url(url("/huge.png"), "image/png", null, ProviderUsage.NONE),
        ErrorClass.PERMANENT, "ARTIFACT_TOO_LARGE");
  }

  @Test
  void givenAUrlThatIsNotHttp_thenItIsRejectedPermanently() {
    assertFailure(new ImageArtifact.Url(URI.create("file:///etc/passwd"), "image/png", null, ProviderUsage.NONE),
        ErrorClass.PERMANENT, "INVALID_ARTIFACT_URL");
  }

  @Test
  void givenAUrlOnAnInternalAddress_whenThePolicyForbidsIt_thenNoRequestIsMadeAndTheJobFailsPermanently() {
    ArtifactReader strict = new ArtifactReader(HttpClient.newHttpClient(),
        new ArtifactUrlPolicy(false, Set.of(), false), Duration.ofSeconds(5), MAX_BYTES);

    assertThat(strict.read(new ImageArtifact.Url(URI.create("https://169.254.169.254/latest/meta-data"), "image/png",
        null, ProviderUsage.NONE)))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.code()).isEqualTo("INVALID_ARTIFACT_URL");
          assertThat(e.getMessage()).contains("169.254.169.254");
        });
  }

  private void assertFailure(ImageArtifact artifact, ErrorClass errorClass, String code) {
    assertThatThrownBy(() -> reader.read(artifact).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.errorClass()).isEqualTo(errorClass);
          assertThat(e.code()).isEqualTo(code);
        });
  }

  private static URI url(String path) {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path);
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
      throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
