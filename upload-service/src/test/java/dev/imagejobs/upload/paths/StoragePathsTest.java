package dev.imagejobs.upload.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.schemas.Events;
import dev.imagejobs.schemas.avro.ImageEdit;
import dev.imagejobs.schemas.avro.JobSpec;
import dev.imagejobs.schemas.avro.JobType;
import dev.imagejobs.schemas.avro.ReferenceImage;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.images.ImageFormat;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StoragePathsTest {

  private static final String JOB = "0b4f6c1e-2f7a-4d0e-9a8b-3c5d7e9f1a2b";
  private static final String TENANT = "studio-7";
  private static final String SOURCE = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";

  @Test
  void givenAnAssetImageKeyJob_whenPathed_thenMasterAssetsFolderWithAssetAndJobInTheName() {
    JobSpec spec = assetKey().build();

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/master-assets/hero_" + JOB + ".png");
  }

  @Test
  void givenAStartFrameJob_whenPathed_thenSceneAndShotFoldersWithStartFrameName() {
    JobSpec spec = frame(JobType.START_FRAME).build();

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/scene_s010/shot_sh020/start_frame_" + JOB + ".png");
  }

  @Test
  void givenAnEndFrameJob_whenPathed_thenSceneAndShotFoldersWithEndFrameName() {
    JobSpec spec = frame(JobType.END_FRAME).build();

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/scene_s010/shot_sh020/end_frame_" + JOB + ".png");
  }

  @Test
  void givenTwoTenantsWithTheSameProjectId_whenPathed_thenTheirImagesLieInSeparateFolders() {
    JobSpec spec = assetKey().build();

    BlobPath mine = StoragePaths.finalPath("studio-7", JOB, spec, "image/png");
    BlobPath theirs = StoragePaths.finalPath("studio-8", JOB, spec, "image/png");

    assertThat(mine.value()).startsWith("tenant_studio-7/project_p1/");
    assertThat(theirs.value()).startsWith("tenant_studio-8/project_p1/");
    assertThatThrownBy(() -> StoragePaths.finalPath("../studio-8", JOB, spec, "image/png"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenantId");
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/jpeg", "image/webp", "IMAGE/PNG; charset=binary"})
  void givenAContentType_whenPathed_thenTheExtensionIsTheFormats(String contentType) {
    String extension = ImageFormat.fromContentType(contentType).orElseThrow().extension();

    assertThat(StoragePaths.finalPath(TENANT, JOB, assetKey().build(), contentType).value())
        .endsWith("_" + JOB + "." + extension);
    assertThat(extension).isIn("png", "jpg", "webp");
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/gif", "application/octet-stream", "image/svg+xml", ""})
  void givenAnUnsupportedContentType_whenPathed_thenRejected(String contentType) {
    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, assetKey().build(), contentType))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unsupported content type");
  }

  @Test
  void givenAnAssetJobWithoutAssetId_whenPathed_thenRejectedNamingTheId() {
    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, assetKey().setAssetId(null).build(), "image/png"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("assetId is required for ASSET_IMAGE_KEY jobs");
  }

  @Test
  void givenAFrameJobWithoutSceneOrShot_whenPathed_thenRejectedNamingTheId() {
    JobSpec withoutScene = frame(JobType.START_FRAME).setSceneId(null).build();
    JobSpec withoutShot = frame(JobType.END_FRAME).setShotId("").build();

    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, withoutScene, "image/png"))
        .hasMessage("sceneId is required for START_FRAME jobs");
    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, withoutShot, "image/png"))
        .hasMessage("shotId is required for END_FRAME jobs");
  }

  @Test
  void givenAnEditOfAStartFrame_whenPathed_thenBesideTheSourceUnderItsOwnName() {
    JobSpec spec = edit("tenant_studio-7/project_p1/branch_main/scene_s010/shot_sh020/start_frame_" + SOURCE + ".jpg");

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value()).isEqualTo(
        "tenant_studio-7/project_p1/branch_main/scene_s010/shot_sh020/start_frame_" + SOURCE + "_edit_" + JOB + ".png");
  }

  @Test
  void givenAnEditOfAnEdit_whenPathed_thenBesideTheOriginalNamedAfterIt() {
    JobSpec spec = edit("tenant_studio-7/project_p1/references/ref-1_edit_" + SOURCE + ".png");

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value())
        .isEqualTo("tenant_studio-7/project_p1/references/ref-1_edit_" + JOB + ".png");
  }

  @Test
  void givenAnEditOfAnImageStoredBeforeTheTenantCameFirst_whenPathed_thenTheSameFolderUnderTheTenants() {
    JobSpec spec = edit("project_p1/branch_main/master-assets/hero_" + SOURCE + ".png");

    assertThat(StoragePaths.finalPath(TENANT, JOB, spec, "image/png").value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/master-assets/hero_" + SOURCE + "_edit_" + JOB + ".png");
  }

  @Test
  void givenAnEditWithoutSource_whenPathed_thenRejected() {
    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, assetKey().setJobType(JobType.EDIT).build(),
        "image/png")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("edit.source");
  }

  @Test
  void givenAJobOfSeveralVariants_whenAVariantIsPathed_thenBesideTheJobsPathNamedAfterItWithItsNumber() {
    BlobPath job = StoragePaths.finalPath(TENANT, JOB, assetKey().build(), "image/png");

    assertThat(StoragePaths.variantPath(job, 1, ImageFormat.PNG).value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/master-assets/hero_" + JOB + "_v1.png");
    assertThat(StoragePaths.variantPath(job, 4, ImageFormat.JPEG).value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/master-assets/hero_" + JOB + "_v4.jpg");
  }

  @Test
  void givenAVariantOfAnEditOrAFrame_whenPathed_thenBesideThatJobsPath() {
    BlobPath edit = StoragePaths.finalPath(TENANT, JOB,
        edit("tenant_studio-7/project_p1/references/ref-1.png"), "image/webp");
    BlobPath frame = StoragePaths.finalPath(TENANT, JOB, frame(JobType.END_FRAME).build(), "image/png");

    assertThat(StoragePaths.variantPath(edit, 2, ImageFormat.WEBP).value())
        .isEqualTo("tenant_studio-7/project_p1/references/ref-1_edit_" + JOB + "_v2.webp");
    assertThat(StoragePaths.variantPath(frame, 3, ImageFormat.PNG).value())
        .isEqualTo("tenant_studio-7/project_p1/branch_main/scene_s010/shot_sh020/end_frame_" + JOB + "_v3.png");
  }

  @Test
  void givenAVariantNumberBelowOne_whenPathed_thenRejected() {
    BlobPath job = StoragePaths.finalPath(TENANT, JOB, assetKey().build(), "image/png");

    assertThatThrownBy(() -> StoragePaths.variantPath(job, 0, ImageFormat.PNG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Variant numbers start at 1, not 0");
  }

  @Test
  void givenAJobNameAtTheLongestSegment_whenAVariantIsPathed_thenRejectedRatherThanCut() {
    BlobPath job = BlobPath.of("tenant_studio-7", "a".repeat(196) + ".png");

    assertThatThrownBy(() -> StoragePaths.variantPath(job, 1, ImageFormat.PNG))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static JobSpec edit(String sourcePath) {
    ReferenceImage source = ReferenceImage.newBuilder().setSource("job").setId(SOURCE).setStoragePath(sourcePath)
        .setContentType("image/png").setSizeBytes(10).setWidth(4).setHeight(4).setSha256("ab".repeat(32)).build();
    return assetKey().setJobType(JobType.EDIT).setAssetId(null)
        .setEdit(ImageEdit.newBuilder().setSource(source).build()).build();
  }

  @Test
  void givenAnUnknownJobType_whenPathed_thenRejected() {
    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, JOB, assetKey().setJobType(JobType.UNKNOWN).build(), "image/png"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UNKNOWN");
  }

  static Stream<Arguments> escapeAttempts() {
    Stream<String> attempts = Stream.of(
        "..", ".", "../../etc", "a/../b", "a/b", "/etc/passwd", "a\\..\\b", "C:\\x", "a\u0000b", "a b", "~",
        "x".repeat(201));
    return attempts.flatMap(attempt -> Stream.of(
        Arguments.of("projectId", attempt), Arguments.of("branchId", attempt), Arguments.of("assetId", attempt),
        Arguments.of("sceneId", attempt), Arguments.of("shotId", attempt), Arguments.of("jobId", attempt)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("escapeAttempts")
  void givenAnIdThatWouldEscapeItsFolder_whenPathed_thenRejected(String id, String value) {
    JobSpec.Builder asset = assetKey();
    JobSpec.Builder frame = frame(JobType.START_FRAME);
    BiConsumer<JobSpec.Builder, String> setter = switch (id) {
      case "projectId" -> JobSpec.Builder::setProjectId;
      case "branchId" -> JobSpec.Builder::setBranchId;
      case "assetId" -> JobSpec.Builder::setAssetId;
      case "sceneId" -> JobSpec.Builder::setSceneId;
      case "shotId" -> JobSpec.Builder::setShotId;
      default -> (builder, ignored) -> { };
    };
    setter.accept(asset, value);
    setter.accept(frame, value);
    String job = id.equals("jobId") ? value : JOB;
    JobSpec spec = id.equals("sceneId") || id.equals("shotId") ? frame.build() : asset.build();

    assertThatThrownBy(() -> StoragePaths.finalPath(TENANT, job, spec, "image/png"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static JobSpec.Builder assetKey() {
    return Events.anAssetKeySpec();
  }

  private static JobSpec.Builder frame(JobType type) {
    return Events.anAssetKeySpec().setJobType(type).setAssetId(null).setSceneId("s010").setShotId("sh020");
  }
}
