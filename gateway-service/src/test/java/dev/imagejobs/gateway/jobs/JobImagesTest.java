package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.FilesystemBlobStore;
import dev.imagejobs.storage.ForwardingBlobStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Flux;

class JobImagesTest {
  private static final String JOB = "job-1";
  private static final BlobPath PATH = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1.png");
  private static final byte[] PNG = "\u0089PNG fake image".getBytes(StandardCharsets.ISO_8859_1);
  private static final Duration EXPIRY = Duration.ofMinutes(15);

  @TempDir
  Path temp;

  private FilesystemBlobStore filesystem;
  private final ImageDownloads downloads = new ImageDownloads(new ImageDownloadSettings(2));

  @BeforeEach
  void openStore() {
    filesystem = new FilesystemBlobStore(temp.resolve("asset-images"));
  }

  @Test
  void givenAStoreThatSignsUrls_whenTheImageIsAsked_thenRedirectedToTheSignedUrlThatNoCacheKeeps() {
    URI signed = URI.create("https://storage.googleapis.com/asset-images/" + PATH
        + "?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900&X-Goog-Signature=abc");
    SigningStore signing = new SigningStore(filesystem, signed);

    ResponseEntity<Flux<DataBuffer>> response = new JobImages(signing, EXPIRY, downloads).serve(JOB, PATH.value(), sha256(PNG), get());

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FOUND);
    assertThat(response.getHeaders().getLocation()).isEqualTo(signed);
    assertThat(response.getHeaders().getCacheControl()).isEqualTo("private, no-store");
    assertThat(response.getHeaders().getETag()).isNull();
    assertThat(response.getBody()).isNull();
    assertThat(signing.signedPath).isEqualTo(PATH);
    assertThat(signing.signedExpiry).isEqualTo(EXPIRY);
  }

  @Test
  void givenAStoreWithoutSignedUrls_whenTheImageIsAsked_thenItsBytesWithTheStoredTypeAndTheShaAsStrongEtag() {
    filesystem.putIfAbsent(PATH, PNG, new BlobMetadata("image/png", "private", Map.of()));

    ResponseEntity<Flux<DataBuffer>> response = new JobImages(filesystem, EXPIRY, downloads).serve(JOB, PATH.value(), sha256(PNG), get());

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.IMAGE_PNG);
    assertThat(response.getHeaders().getCacheControl()).isEqualTo("private");
    assertThat(response.getHeaders().getETag()).isEqualTo("\"" + sha256(PNG) + "\"");
    assertThat(response.getHeaders().getContentLength()).isEqualTo(PNG.length);
    assertThat(bytesOf(response)).isEqualTo(PNG);
    // The permit goes back on the thread that read the file, just after the last bytes went out.
    awaitNoDownloadRunning("the permit goes back once the body has been sent");
  }

  @Test
  void givenAsManyDownloadsRunningAsAllowed_whenAnotherImageIsAsked_thenServiceUnavailableWithRetryAfter() {
    filesystem.putIfAbsent(PATH, PNG, new BlobMetadata("image/png", "private", Map.of()));
    JobImages images = new JobImages(filesystem, EXPIRY, downloads);
    ResponseEntity<Flux<DataBuffer>> first = images.serve(JOB, PATH.value(), sha256(PNG), get());
    ResponseEntity<Flux<DataBuffer>> second = images.serve(JOB, PATH.value(), sha256(PNG), get());

    assertThatThrownBy(() -> images.serve(JOB, PATH.value(), sha256(PNG), get()))
        .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
          assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
          assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        });

    assertThat(bytesOf(first)).isEqualTo(PNG);
    second.getBody().subscribe().dispose();
    awaitNoDownloadRunning("a finished and an abandoned download give their permits back");
    assertThat(bytesOf(images.serve(JOB, PATH.value(), sha256(PNG), get()))).isEqualTo(PNG);
  }

  @Test
  void givenTheRecordedShaInIfNoneMatch_whenTheImageIsAsked_thenNotModifiedWithoutReadingTheStore() {
    // Nothing stored: a read would answer 404.
    MockServerWebExchange exchange = get("\"" + sha256(PNG) + "\"");

    ResponseEntity<Flux<DataBuffer>> response = new JobImages(filesystem, EXPIRY, downloads).serve(JOB, PATH.value(), sha256(PNG), exchange);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_MODIFIED);
    assertThat(response.getHeaders().getETag()).isEqualTo("\"" + sha256(PNG) + "\"");
    assertThat(response.getHeaders().getCacheControl()).isEqualTo("private");
    assertThat(response.getBody()).isNull();
  }

  @Test
  void givenNoRecordedSha_whenTheImageIsAsked_thenTheEtagIsTheShaInTheObjectsMetadataOrOfItsBytes() {
    String stored = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    filesystem.putIfAbsent(PATH, PNG, new BlobMetadata("image/png", null, Map.of("sha256", stored)));
    BlobPath untagged = BlobPath.of("project_p1", "branch_main", "master-assets", "villain_job-2.png");
    filesystem.putIfAbsent(untagged, PNG, new BlobMetadata("image/png", null, Map.of()));
    JobImages images = new JobImages(filesystem, EXPIRY, downloads);

    assertThat(sent(images.serve(JOB, PATH.value(), null, get())).getHeaders().getETag())
        .isEqualTo("\"" + stored + "\"");
    assertThat(sent(images.serve("job-2", untagged.value(), null, get())).getHeaders().getETag())
        .isEqualTo("\"" + sha256(PNG) + "\"");
    assertThat(images.serve(JOB, PATH.value(), null, get("\"" + stored + "\"")).getStatusCode())
        .isEqualTo(HttpStatus.NOT_MODIFIED);
    awaitNoDownloadRunning("every download gave its permit back");
  }

  @Test
  void givenAMissingObjectOrAnUnusablePath_whenTheImageIsAsked_thenNotFound() {
    JobImages images = new JobImages(filesystem, EXPIRY, downloads);

    assertThatThrownBy(() -> images.serve(JOB, PATH.value(), sha256(PNG), get()))
        .isInstanceOf(JobNotFoundException.class);
    assertThatThrownBy(() -> images.serve(JOB, "../outside.png", sha256(PNG), get()))
        .isInstanceOf(JobNotFoundException.class);
    assertThat(downloads.running()).as("no permit kept by a download that never started").isZero();
  }

  private void awaitNoDownloadRunning(String why) {
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(downloads.running()).as(why).isZero());
  }

  /** The response once its body, if any, has been sent. */
  private static ResponseEntity<Flux<DataBuffer>> sent(ResponseEntity<Flux<DataBuffer>> response) {
    if (response.getBody() != null) {
      bytesOf(response);
    }
    return response;
  }

  private static byte[] bytesOf(ResponseEntity<Flux<DataBuffer>> response) {
    DataBuffer joined = DataBufferUtils.join(response.getBody()).block(Duration.ofSeconds(10));
    byte[] bytes = new byte[joined.readableByteCount()];
    joined.read(bytes);
    DataBufferUtils.release(joined);
    return bytes;
  }

  private static MockServerWebExchange get(String... ifNoneMatch) {
    MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/api/v1/images/jobs/" + JOB + "/image");
    if (ifNoneMatch.length > 0) {
      request.header(HttpHeaders.IF_NONE_MATCH, ifNoneMatch);
    }
    return MockServerWebExchange.from(request);
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A store that signs every URL as {@code signed}, as the GCS store does, keeping the objects of another. */
  private static final class SigningStore extends ForwardingBlobStore {
    private final URI signed;
    BlobPath signedPath;
    Duration signedExpiry;

    SigningStore(BlobStore objects, URI signed) {
      super(objects);
      this.signed = signed;
    }

    @Override
    public Optional<URI> signedUrl(BlobPath path, Duration expiry) {
      signedPath = path;
      signedExpiry = expiry;
      return Optional.of(signed);
    }
  }

}
