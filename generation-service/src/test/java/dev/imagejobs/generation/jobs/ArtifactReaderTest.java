package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.outbound.OutboundUrlPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArtifactReaderTest {
  /** For tests whose fake provider serves images over plain HTTP on the loopback interface. */
  static final OutboundUrlPolicy LOCAL_TEST_SERVERS = new OutboundUrlPolicy("artifact URL", true, Set.of(), true);

  private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3};
  private static final int MAX_BYTES = 64;
  private static final AtomicInteger COUNTED_REQUESTS = new AtomicInteger();
  private static HttpServer server;

  private final ArtifactReader reader = new ArtifactReader(LOCAL_TEST_SERVERS, Duration.ofSeconds(5), MAX_BYTES);

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
    server.createContext("/counted.png", exchange -> {
      COUNTED_REQUESTS.incrementAndGet();
      respond(exchange, 200, IMAGE);
    });
    server.createContext("/moved.png", exchange -> {
      exchange.getResponseHeaders().add("Location", "/image.png");
      respond(exchange, 302, new byte[0]);
    });
    server.createContext("/busy.png", exchange -> respond(exchange, 503, new byte[0]));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  @AfterEach
  void closeReader() {
    reader.close();
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
    ArtifactReader strict = new ArtifactReader(
        new OutboundUrlPolicy("artifact URL", false, Set.of(), false), Duration.ofSeconds(5), MAX_BYTES);

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

  @Test
  void givenAHostThatResolvesToAPublicAddressAndThenToLoopback_thenTheDownloadConnectsToNeitherUnchecked() {
    // DNS rebinding: the first answer passes the check, the next one points inside.
    AtomicInteger lookups = new AtomicInteger();
    OutboundUrlPolicy.Resolver rebinding = host -> lookups.getAndIncrement() == 0
        ? new InetAddress[] {InetAddress.getByName("203.0.113.10")}
        : new InetAddress[] {InetAddress.getLoopbackAddress()};
    ArtifactReader reader = new ArtifactReader(new OutboundUrlPolicy("artifact URL", true, Set.of(), false, rebinding),
        Duration.ofSeconds(5), MAX_BYTES);
    int before = COUNTED_REQUESTS.get();

    try (reader) {
      assertThat(reader.read(new ImageArtifact.Url(URI.create("http://rebind.example:" + server.getAddress().getPort()
          + "/counted.png"), "image/png", null, ProviderUsage.NONE)))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.errorClass()).isEqualTo(ErrorClass.PERMANENT);
            assertThat(e.code()).isEqualTo("INVALID_ARTIFACT_URL");
            // The message reaches the tenant: the range, never the address our name servers answered.
            assertThat(e.getMessage()).contains("rebind.example", "loopback").doesNotContain("127.0.0.1");
          });
    }
    assertThat(lookups).as("the check, then the connection's own lookup, checked again").hasValue(2);
    assertThat(COUNTED_REQUESTS.get()).as("no request reached the internal server").isEqualTo(before);
  }

  @Test
  void givenAHostOnlyThePolicyCanResolve_thenTheDownloadConnectsToTheAddressThePolicyChecked() throws Exception {
    Map<String, InetAddress[]> dns = Map.of("images.example", new InetAddress[] {InetAddress.getLoopbackAddress()});
    OutboundUrlPolicy.Resolver table = host -> {
      InetAddress[] addresses = dns.get(host);
      if (addresses == null) {
        throw new UnknownHostException(host);
      }
      return addresses;
    };
    try (ArtifactReader reader = new ArtifactReader(new OutboundUrlPolicy("artifact URL", true, Set.of(), true, table),
        Duration.ofSeconds(5), MAX_BYTES)) {
      ArtifactBytes bytes = reader.read(new ImageArtifact.Url(URI.create("http://images.example:"
          + server.getAddress().getPort() + "/image.png"), null, null, ProviderUsage.NONE)).get(5, TimeUnit.SECONDS);

      assertThat(bytes.content()).isEqualTo(IMAGE);
    }
  }

  @Test
  void givenARedirect_thenItIsNotFollowed() {
    assertFailure(new ImageArtifact.Url(url("/moved.png"), "image/png", null, ProviderUsage.NONE),
        ErrorClass.PERMANENT, "ARTIFACT_HTTP_302");
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
