package dev.imagejobs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GcsBlobStoreTest extends BlobStoreContractTest {
  private static final String BUCKET = "asset-images";
  private static final String SIGNER_EMAIL = "gateway@image-jobs-test.iam.gserviceaccount.com";

  private Storage storage;

  @Override
  protected BlobStore createStore() {
    storage = FakeGcs.storage();
    return new GcsBlobStore(storage, BUCKET, "images/");
  }

  @Test
  void givenAPrefix_whenPut_thenTheObjectIsNamedPrefixPlusPathAndTheUriIsGsBucketPrefixPath() {
    store.putIfAbsent(PATH, bytes("image"), PNG_METADATA);

    com.google.cloud.storage.Blob object = storage.get(BlobId.of(BUCKET, "images/" + PATH.value()));
    assertThat(object).isNotNull();
    assertThat(object.getContentType()).isEqualTo("image/png");
    assertThat(object.getCacheControl()).isEqualTo("private, max-age=31536000, immutable");
    assertThat(object.getMetadata()).containsEntry("jobId", "job-1");
    assertThat(store.uri(PATH)).isEqualTo(URI.create("gs://asset-images/images/" + PATH.value()));
  }

  @Test
  void givenObjectsOutsideThePrefix_whenListing_thenOnlyTheStoresOwnAreSeen() {
    new GcsBlobStore(storage, BUCKET, "other/").putIfAbsent(BlobPath.of("staging", "job-9", "attempt-1.png"),
        bytes("someone else's"), PNG_METADATA);
    store.putIfAbsent(BlobPath.of("staging", "job-1", "attempt-1.png"), bytes("mine"), PNG_METADATA);

    assertThat(store.list(StagingArea.root())).extracting(entry -> entry.path().value())
        .containsExactly("staging/job-1/attempt-1.png");
  }

  @Test
  void givenPrefixesWrittenInSeveralWays_whenNormalized_thenEmptyOrSegmentsEndingWithASlash() {
    assertThat(GcsBlobStore.normalizePrefix(null)).isEmpty();
    assertThat(GcsBlobStore.normalizePrefix(" ")).isEmpty();
    assertThat(GcsBlobStore.normalizePrefix("/")).isEmpty();
    assertThat(GcsBlobStore.normalizePrefix("images")).isEqualTo("images/");
    assertThat(GcsBlobStore.normalizePrefix("/tenant-x/images/")).isEqualTo("tenant-x/images/");
    assertThatThrownBy(() -> GcsBlobStore.normalizePrefix("../escape/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GcsBlobStore(storage, "Not_A_Bucket", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not_A_Bucket");
  }

  @Test
  void givenAServiceAccountSigner_whenASignedUrlIsAsked_thenAV4GetUrlOfTheObjectWithThatExpiry() throws Exception {
    GcsBlobStore signing = new GcsBlobStore(storage, BUCKET, "images/").withSigner(freshServiceAccount());

    URI url = signing.signedUrl(PATH, Duration.ofMinutes(15)).orElseThrow();

    assertThat(url.getScheme()).isEqualTo("https");
    assertThat(url.getHost()).isEqualTo("storage.googleapis.com");
    assertThat(url.getPath()).isEqualTo("/asset-images/images/" + PATH.value());
    Map<String, String> query = query(url);
    assertThat(query).containsEntry("X-Goog-Algorithm", "GOOG4-RSA-SHA256")
        .containsEntry("X-Goog-Expires", "900")
        .containsEntry("X-Goog-SignedHeaders", "host");
    assertThat(query.get("X-Goog-Credential")).startsWith(SIGNER_EMAIL + "/").endsWith("/auto/storage/goog4_request");
    assertThat(query.get("X-Goog-Signature")).matches("[0-9a-f]{512}");
  }

  @Test
  void givenAnExpiryBeyondWhatV4Allows_whenASignedUrlIsAsked_thenRefused() throws Exception {
    GcsBlobStore signing = new GcsBlobStore(storage, BUCKET, "").withSigner(freshServiceAccount());

    assertThatThrownBy(() -> signing.signedUrl(PATH, Duration.ofDays(8))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signing.signedUrl(PATH, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenClientCredentialsThatCannotSign_whenASignedUrlIsAsked_thenStorageException() {
    assertThatThrownBy(() -> store.signedUrl(PATH, Duration.ofMinutes(15)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(PATH.value());
  }

  @Test
  void givenSignedUrlsTurnedOff_whenASignedUrlIsAsked_thenEmpty() {
    GcsBlobStore unsigned = new GcsBlobStore(storage, BUCKET, "").withoutSignedUrls();

    assertThat(unsigned.signedUrl(PATH, Duration.ofMinutes(15))).isEmpty();
  }

  /** A service account whose key is made here, so signing needs no network and no real account. */
  private static ServiceAccountCredentials freshServiceAccount() throws NoSuchAlgorithmException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return ServiceAccountCredentials.newBuilder()
        .setClientEmail(SIGNER_EMAIL)
        .setClientId("1234567890")
        .setPrivateKey(generator.generateKeyPair().getPrivate())
        .setPrivateKeyId("test-key")
        .setProjectId("image-jobs-test")
        .build();
  }

  private static Map<String, String> query(URI url) {
    return Arrays.stream(url.getRawQuery().split("&"))
        .map(pair -> pair.split("=", 2))
        .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
  }
}
