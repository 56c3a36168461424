package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantTextTest {

  @Test
  void givenASignedUrlThenOnlyItsSchemeAndHostAreShown() {
    assertThat(TenantText.of("Downloading the image from https://user:pw@cdn.example.com/a/b.png"
        + "?X-Goog-Signature=abc123&X-Goog-Credential=svc answered 500"))
        .isEqualTo("Downloading the image from https://cdn.example.com answered 500");
  }

  @Test
  void givenServerPathsThenTheyAreReplaced() {
    assertThat(TenantText.of("Cannot write /var/lib/image-jobs/storage/staging/job-8/attempt-1.png (No space left)"))
        .isEqualTo("Cannot write (a path) (No space left)");
    assertThat(TenantText.of("Stored at file:///srv/images/project_p1/a.png"))
        .isEqualTo("Stored at (a file)");
  }

  @Test
  void givenJavaExceptionNamesThenTheyAreDroppedAndTheirMessageKept() {
    assertThat(TenantText.of("Downloading the image failed: java.net.ConnectException: Connection refused"))
        .isEqualTo("Downloading the image failed: Connection refused");
  }

  @Test
  void givenAnOrdinaryMessageThenItIsShownAsItIs() {
    String message = "Gemini refused the prompt (SAFETY); aspect ratio 16:9, path project_p1/branch_main kept";
    assertThat(TenantText.of(message)).isEqualTo(message);
    assertThat(TenantText.of(null)).isNull();
  }
}
