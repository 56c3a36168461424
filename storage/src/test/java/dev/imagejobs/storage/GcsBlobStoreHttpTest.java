package dev.imagejobs.storage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The GCS store against the JSON API's real request and error shapes, served by WireMock: what the
 * in-memory fake cannot show (status codes on the wire, the precondition as a query parameter).
 */
class GcsBlobStoreHttpTest {
  private static final String BUCKET = "asset-images";
  private static final String UPLOAD = "/upload/storage/v1/b/" + BUCKET + "/o";
  private static final String OBJECTS = "/storage/v1/b/" + BUCKET + "/o";
  private static final BlobPath PATH = BlobPath.of("staging", "job-1", "attempt-1.png");
  private static final BlobMetadata METADATA =
      new BlobMetadata("image/png", "private, no-store", Map.of("jobId", "job-1", "sha256", "abc123"));

  @RegisterExtension
  static final WireMockExtension gcs = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
      .build();

  private GcsBlobStore store;

  @BeforeEach
  void pointTheClientAtWireMock() {
    StorageOptions options = StorageOptions.http()
        .setHost(gcs.baseUrl())
        .setProjectId("image-jobs-test")
        .setCredentials(NoCredentials.getInstance())
        .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1).build())
        .build();
    store = new GcsBlobStore(options.getService(), BUCKET, "images/");
  }

  @Test
  void givenTheObjectExists_whenPutIfAbsentGets412_thenAlreadyExists() {
    gcs.stubFor(post(urlPathEqualTo(UPLOAD))
        .withQueryParam("uploadType", equalTo("multipart"))
        .withQueryParam("ifGenerationMatch", equalTo("0"))
        .willReturn(error(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")));

    PutOutcome outcome = store.putIfAbsent(PATH, new byte[] {1, 2, 3}, METADATA);

    assertThat(outcome).isEqualTo(PutOutcome.ALREADY_EXISTS);
  }

  @Test
  void givenAnUnavailableService_whenPutIfAbsentGets503_thenRetryableStorageException() {
    gcs.stubFor(post(urlPathEqualTo(UPLOAD))
        .willReturn(error(503, "backendError", "We encountered an internal error. Please try again.")));

    assertThatThrownBy(() -> store.putIfAbsent(PATH, new byte[] {1, 2, 3}, METADATA))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("Cannot write " + PATH)
        .hasMessageContaining("HTTP 503, retryable")
        .hasCauseInstanceOf(com.google.cloud.storage.StorageException.class);
  }

  @Test
  void givenANewObject_whenPut_thenOneMultipartUploadWithThePreconditionAndTheMetadata() {
    gcs.stubFor(post(urlPathEqualTo(UPLOAD)).willReturn(okJson(objectJson("images/" + PATH, 3))));

    PutOutcome outcome = store.putIfAbsent(PATH, new byte[] {1, 2, 3}, METADATA);

    assertThat(outcome).isEqualTo(PutOutcome.CREATED);
    gcs.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD))
        .withQueryParam("uploadType", equalTo("multipart"))
        .withQueryParam("ifGenerationMatch", equalTo("0"))
        .withRequestBody(containing("\"name\":\"images/staging/job-1/attempt-1.png\""))
        .withRequestBody(containing("\"cacheControl\":\"private, no-store\""))
        .withRequestBody(containing("\"sha256\":\"abc123\""))
        .withRequestBody(containing("\"contentType\":\"image/png\"")));
  }

  @Test
  void givenAStagedObject_whenCopied_thenOneRewriteWithThePreconditionOnTheTargetAndItsMetadata() {
    String rewrite = OBJECTS + "/images%2Fstaging%2Fjob-1%2Fattempt-1.png/rewriteTo/b/" + BUCKET
        + "/o/images%2Fproject_p1%2Fhero_job-1.png";
    gcs.stubFor(post(urlPathEqualTo(rewrite)).willReturn(okJson("""
        {"kind":"storage#rewriteResponse","totalBytesRewritten":"3","objectSize":"3","done":true,
         "resource":%s}""".formatted(objectJson("images/project_p1/hero_job-1.png", 3)))));

    PutOutcome outcome = store.copyIfAbsent(PATH, BlobPath.of("project_p1", "hero_job-1.png"), METADATA,
        Durability.SURVIVES_MACHINE_CRASH);

    assertThat(outcome).isEqualTo(PutOutcome.CREATED);
    gcs.verify(1, postRequestedFor(urlPathEqualTo(rewrite))
        .withQueryParam("ifGenerationMatch", equalTo("0"))
        .withRequestBody(containing("\"cacheControl\":\"private, no-store\""))
        .withRequestBody(containing("\"sha256\":\"abc123\"")));
  }

  @Test
  void givenTheTargetExists_whenTheCopyGets412_thenAlreadyExists() {
    gcs.stubFor(post(urlPathEqualTo(OBJECTS + "/images%2Fstaging%2Fjob-1%2Fattempt-1.png/rewriteTo/b/" + BUCKET
            + "/o/images%2Fproject_p1%2Fhero_job-1.png"))
        .willReturn(error(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")));

    PutOutcome outcome = store.copyIfAbsent(PATH, BlobPath.of("project_p1", "hero_job-1.png"), METADATA,
        Durability.SURVIVES_MACHINE_CRASH);

    assertThat(outcome).isEqualTo(PutOutcome.ALREADY_EXISTS);
  }

  @Test
  void givenAStoredVariant_whenCopiedReplacing_thenOneRewriteWithoutAPreconditionCarryingTheTargetsMetadata() {
    String rewrite = OBJECTS + "/images%2Fproject_p1%2Fhero_job-1_v2.png/rewriteTo/b/" + BUCKET
        + "/o/images%2Fproject_p1%2Fhero_job-1.png";
    gcs.stubFor(post(urlPathEqualTo(rewrite)).willReturn(okJson("""
        {"kind":"storage#rewriteResponse","totalBytesRewritten":"3","objectSize":"3","done":true,
         "resource":%s}""".formatted(objectJson("images/project_p1/hero_job-1.png", 3)))));

    store.copyReplacing(BlobPath.of("project_p1", "hero_job-1_v2.png"), BlobPath.of("project_p1", "hero_job-1.png"),
        METADATA, Durability.SURVIVES_MACHINE_CRASH);

    gcs.verify(1, postRequestedFor(urlPathEqualTo(rewrite))
        .withQueryParam("ifGenerationMatch", absent())
        .withQueryParam("ifGenerationNotMatch", absent())
        .withRequestBody(containing("\"contentType\":\"image/png\""))
        .withRequestBody(containing("\"cacheControl\":\"private, no-store\""))
        .withRequestBody(containing("\"sha256\":\"abc123\"")));
  }

  @Test
  void givenNoSource_whenCopiedReplacingGets404_thenMissingObjectException() {
    gcs.stubFor(post(urlPathMatching(OBJECTS + "/images%2Fproject_p1%2Fhero_job-1_v3.png/rewriteTo/.*"))
        .willReturn(error(404, "notFound", "No such object: asset-images/images/project_p1/hero_job-1_v3.png")));

    assertThatThrownBy(() -> store.copyReplacing(BlobPath.of("project_p1", "hero_job-1_v3.png"),
            BlobPath.of("project_p1", "hero_job-1.png"), METADATA, Durability.SURVIVES_MACHINE_CRASH))
        .isInstanceOf(MissingObjectException.class)
        .hasMessageContaining("project_p1/hero_job-1_v3.png");
  }

  @Test
  void givenAnUnavailableService_whenCopiedReplacingGets503_thenARetryableStorageExceptionThatIsNoMissingObject() {
    gcs.stubFor(post(urlPathMatching(OBJECTS + "/.*/rewriteTo/.*"))
        .willReturn(error(503, "backendError", "We encountered an internal error. Please try again.")));

    assertThatThrownBy(() -> store.copyReplacing(BlobPath.of("project_p1", "hero_job-1_v2.png"),
            BlobPath.of("project_p1", "hero_job-1.png"), METADATA, Durability.SURVIVES_MACHINE_CRASH))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(MissingObjectException.class)
        .hasMessageContaining("HTTP 503, retryable");
  }

  @Test
  void givenAnObject_whenOpenedAsAStream_thenItsMediaIsDownloadedForTheGenerationWhoseMetadataWasRead()
      throws Exception {
    String object = OBJECTS + "/images%2Fstaging%2Fjob-1%2Fattempt-1.png";
    gcs.stubFor(get(urlPathEqualTo(object)).withQueryParam("alt", absent())
        .willReturn(okJson(objectJson("images/" + PATH, 3))));
    gcs.stubFor(get(urlPathMatching(".*/o/images%2Fstaging%2Fjob-1%2Fattempt-1.png"))
        .withQueryParam("alt", equalTo("media"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "image/png")
            .withHeader("x-goog-generation", "1735787045678000").withBody(new byte[] {1, 2, 3})));

    try (BlobStream stream = store.openStream(PATH).orElseThrow()) {
      assertThat(stream.size()).isEqualTo(3);
      assertThat(stream.metadata().contentType()).isEqualTo("image/png");
      assertThat(stream.content().readAllBytes()).containsExactly(1, 2, 3);
    }
    gcs.verify(getRequestedFor(urlPathMatching(".*/o/images%2Fstaging%2Fjob-1%2Fattempt-1.png"))
        .withQueryParam("alt", equalTo("media"))
        .withQueryParam("ifGenerationMatch", equalTo("1735787045678000")));
  }

  @Test
  void givenNoObject_whenOpenedAsAStream_thenEmpty() {
    gcs.stubFor(get(urlPathEqualTo(OBJECTS + "/images%2Fstaging%2Fjob-1%2Fattempt-1.png"))
        .willReturn(error(404, "notFound", "No such object: asset-images/images/staging/job-1/attempt-1.png")));

    assertThat(store.openStream(PATH)).isEmpty();
  }

  @Test
  void givenNoObject_whenGetAnswers404_thenEmpty() {
    gcs.stubFor(get(urlPathEqualTo(OBJECTS + "/images%2Fstaging%2Fjob-1%2Fattempt-1.png"))
        .willReturn(error(404, "notFound", "No such object: asset-images/images/staging/job-1/attempt-1.png")));

    assertThat(store.get(PATH)).isEmpty();
  }

  @Test
  void givenObjectsUnderAFolder_whenListed_thenThePrefixIsAskedForAndCreationTimesAreRead() {
    gcs.stubFor(get(urlPathEqualTo(OBJECTS))
        .withQueryParam("prefix", equalTo("images/staging/"))
        .willReturn(okJson("{\"kind\":\"storage#objects\",\"items\":[" + objectJson("images/" + PATH, 3) + "]}")));

    assertThat(store.list(StagingArea.root())).containsExactly(
        new BlobListing(PATH, 3, Instant.parse("2025-01-02T03:04:05.678Z")));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(
      int status, String reason, String message) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("""
        {"error":{"code":%d,"message":"%s","errors":[{"domain":"global","reason":"%s","message":"%s"}]}}"""
        .formatted(status, message, reason, message));
  }

  private static String objectJson(String name, int size) {
    return """
        {"kind":"storage#object","bucket":"%s","name":"%s","generation":"1735787045678000","metageneration":"1",
         "contentType":"image/png","size":"%d","timeCreated":"2025-01-02T03:04:05.678Z",
         "updated":"2025-01-02T03:04:05.678Z"}""".formatted(BUCKET, name, size);
  }
}
