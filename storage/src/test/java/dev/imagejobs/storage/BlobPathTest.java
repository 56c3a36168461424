package dev.imagejobs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BlobPathTest {

  @Test
  void givenSafeSegments_whenJoined_thenSlashSeparatedPathWithTheSameSegments() {
    BlobPath path = BlobPath.of("project_p1", "branch_main", "master-assets", "hero_job-1.png");

    assertThat(path.value()).isEqualTo("project_p1/branch_main/master-assets/hero_job-1.png");
    assertThat(path.segments()).containsExactly("project_p1", "branch_main", "master-assets", "hero_job-1.png");
    assertThat(new BlobPath(path.value())).isEqualTo(path);
    assertThat(path).hasToString(path.value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"staging/job-1/attempt-1.png", "a", "a.b.c", "..a", "a..", "...", ".hidden", "A-Z_0-9"})
  void givenAPathOfSafeSegments_whenParsed_thenAccepted(String value) {
    assertThat(new BlobPath(value).value()).isEqualTo(value);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "..", ".", "a/../b", "a/./b", "../a", "a/..", "/a", "/etc/passwd", "a/", "a//b", "//a",
      "a\\b", "..\\a", "C:\\a", "C:/a", "a\u0000b", "a/b\u0000", "~/a", "a b", "a%2fb", "a:b", "héro", "a\nb"})
  void givenAnEscapeAttemptOrUnsafePath_whenParsed_thenRejected(String value) {
    assertThatThrownBy(() -> new BlobPath(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"..", ".", "a/b", "/", "a\\b", "a\u0000", " ", "~"})
  void givenAnUnsafeSegment_whenRequired_thenRejected(String segment) {
    assertThatThrownBy(() -> BlobPath.requireSegment(segment)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlobPath.of("project_p1", segment)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenOverLongSegmentsOrPaths_whenParsed_thenRejected() {
    String longestSegment = "a".repeat(200);
    assertThat(BlobPath.requireSegment(longestSegment)).isEqualTo(longestSegment);
    assertThatThrownBy(() -> BlobPath.requireSegment("a".repeat(201))).isInstanceOf(IllegalArgumentException.class);

    String longestPath = String.join("/", "a".repeat(200), "b".repeat(200), "c".repeat(200), "d".repeat(200),
        "e".repeat(200), "f".repeat(19));
    assertThat(longestPath).hasSize(1024);
    assertThat(new BlobPath(longestPath).value()).isEqualTo(longestPath);
    assertThatThrownBy(() -> new BlobPath(longestPath + "g")).isInstanceOf(IllegalArgumentException.class);
  }
}
