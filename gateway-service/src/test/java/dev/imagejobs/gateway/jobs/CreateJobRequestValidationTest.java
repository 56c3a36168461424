package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CreateJobRequestValidationTest {
  private static ValidatorFactory factory;
  private static Validator validator;

  @BeforeAll
  static void startValidator() {
    factory = Validation.buildDefaultValidatorFactory();
    validator = factory.getValidator();
  }

  @AfterAll
  static void closeValidator() {
    factory.close();
  }

  @Test
  void givenCompleteAssetKeyRequestThenItIsValid() {
    assertThat(errors(anAssetKey())).isEmpty();
  }

  @Test
  void givenCompleteFrameRequestThenItIsValid() {
    assertThat(errors(aStartFrame("s1", "sh1"))).isEmpty();
  }

  @Test
  void givenFrameWithoutSceneAndShotThenBothFieldsAreReported() {
    assertThat(errors(aStartFrame(null, null)))
        .containsOnlyKeys("sceneId", "shotId")
        .containsEntry("sceneId", "is required for START_FRAME jobs");
  }

  @Test
  void givenEndFrameWithoutShotThenOnlyShotIsReported() {
    CreateJobRequest request = new CreateJobRequest(
        "END_FRAME", "p1", "main", "s1", null, null, "The door closes", null, "16:9", null, null, null, null, null, null, null);

    assertThat(errors(request)).containsOnlyKeys("shotId");
  }

  @Test
  void givenAssetKeyWithoutAssetIdThenAssetIdIsReported() {
    CreateJobRequest request = new CreateJobRequest(
        "ASSET_IMAGE_KEY", "p1", "main", null, null, null, "A red scarf", null, "1:1", "2K", null, null, null, null, null, null);

    assertThat(errors(request)).containsOnlyKeys("assetId");
  }

  @Test
  void givenEmptyBodyThenEveryRequiredFieldIsReported() {
    CreateJobRequest request = new CreateJobRequest(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    assertThat(errors(request)).containsOnlyKeys("jobType", "projectId", "branchId", "prompt", "aspectRatio");
  }

  @Test
  void givenUnknownEnumerationValuesThenEachFieldIsReported() {
    CreateJobRequest request = new CreateJobRequest(
        "POSTER", "p1", "main", null, null, "hero", "A red scarf", null, "17:9", "8K", "urgent", null, null, null, null, null);

    assertThat(errors(request)).containsOnlyKeys("jobType", "aspectRatio", "imageSize", "priority");
  }

  @ParameterizedTest
  @ValueSource(strings = {"high", "normal", "low"})
  void givenAKnownPriorityThenItIsValid(String priority) {
    assertThat(errors(withPriority(priority))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "urgent", "HIGH", "Normal", " low", "1"})
  void givenAnUnknownPriorityOrAnotherSpellingThenPriorityIsReported(String priority) {
    assertThat(errors(withPriority(priority)))
        .containsExactly(Map.entry("priority", "must be one of high, normal, low"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "../etc", "has space", "slash/inside", "dot.inside", "ä"})
  void givenUnsafeIdThenItIsReported(String id) {
    CreateJobRequest request = new CreateJobRequest(
        "ASSET_IMAGE_KEY", id, "main", null, null, "hero", "A red scarf", null, "1:1", null, null, null, null, null, null, null);

    assertThat(errors(request)).containsOnlyKeys("projectId");
  }

  @Test
  void givenIdOf64CharactersThenItIsValidAnd65IsNot() {
    String longest = "a".repeat(64);
    assertThat(errors(new CreateJobRequest(
        "ASSET_IMAGE_KEY", longest, "main", null, null, "hero", "x", longest, "1:1", null, null, null, null, null, null, null))).isEmpty();
    assertThat(errors(new CreateJobRequest(
        "ASSET_IMAGE_KEY", longest + "a", "main", null, null, "hero", "x", null, "1:1", null, null, null, null, null, null, null)))
        .containsOnlyKeys("projectId");
  }

  @Test
  void givenPromptOfMaximumLengthThenItIsValidAndOneMoreIsNot() {
    assertThat(errors(withPrompt("p".repeat(4000)))).isEmpty();
    assertThat(errors(withPrompt("p".repeat(4001)))).containsOnlyKeys("prompt");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "nul\u0000inside"})
  void givenBlankOrUnstorablePromptThenItIsReported(String prompt) {
    assertThat(errors(withPrompt(prompt))).containsOnlyKeys("prompt");
  }

  @Test
  void givenMultilinePromptThenItIsValid() {
    assertThat(errors(withPrompt("line one\nline two\ttabbed"))).isEmpty();
  }

  @Test
  void givenAnEditOfAJobWithAMaskAndNoAspectRatioThenItIsValid() {
    assertThat(errors(anEdit(new EditRequest(new ReferenceRequest("job-1", null), new ReferenceRequest(null, "mask-1")),
        null, null))).isEmpty();
  }

  @Test
  void givenAnEditWithoutItsSourceThenEditIsReported() {
    assertThat(errors(anEdit(null, null, null))).containsExactly(Map.entry("edit", "is required for EDIT jobs"));
    assertThat(errors(anEdit(new EditRequest(null, null), null, null))).containsOnlyKeys("edit.source");
  }

  @Test
  void givenAnEditNamingAShotThenTheShotIsReportedSinceTheSourceGivesIt() {
    assertThat(errors(anEdit(new EditRequest(new ReferenceRequest("job-1", null), null), "sh1", "16:9")))
        .containsExactly(Map.entry("shotId", "is taken from the source image for EDIT jobs"));
  }

  @Test
  void givenAnEditOnAnotherJobTypeThenEditIsReported() {
    CreateJobRequest request = new CreateJobRequest("ASSET_IMAGE_KEY", "p1", "main", null, null, "hero", "A red scarf",
        null, "1:1", null, null, null, null, null, new EditRequest(new ReferenceRequest("job-1", null), null), null);

    assertThat(errors(request)).containsExactly(Map.entry("edit", "is only for EDIT jobs"));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 5, -1})
  void givenVariantsOutsideOneToFourThenVariantsIsReported(int variants) {
    CreateJobRequest request = new CreateJobRequest("ASSET_IMAGE_KEY", "p1", "main", null, null, "hero", "A red scarf",
        null, "1:1", null, null, null, null, null, null, variants);

    assertThat(errors(request)).containsOnlyKeys("variants");
  }

  private static CreateJobRequest anEdit(EditRequest edit, String shotId, String aspectRatio) {
    return new CreateJobRequest("EDIT", "p1", "main", null, shotId, null, "Make the scarf blue", null, aspectRatio,
        null, null, null, null, null, edit, null);
  }

  private static CreateJobRequest anAssetKey() {
    return withPrompt("A lighthouse keeper with a red scarf");
  }

  private static CreateJobRequest withPrompt(String prompt) {
    return new CreateJobRequest(
        "ASSET_IMAGE_KEY", "p1", "main", null, null, "hero", prompt, "noir", "16:9", "1K", null, null, null, null, null, null);
  }

  private static CreateJobRequest withPriority(String priority) {
    return new CreateJobRequest("ASSET_IMAGE_KEY", "p1", "main", null, null, "hero", "A red scarf", null, "16:9", "1K",
        priority, null, null, null, null, null);
  }

  private static CreateJobRequest aStartFrame(String sceneId, String shotId) {
    return new CreateJobRequest("START_FRAME", "p1", "main", sceneId, shotId, null, "Dawn over the harbour",
        null, "21:9", "2K", null, null, null, null, null, null);
  }

  /** Field name to message; one entry per field (a field failing two rules keeps one of them). */
  private static Map<String, String> errors(CreateJobRequest request) {
    Set<ConstraintViolation<CreateJobRequest>> violations = validator.validate(request);
    Map<String, String> errors = new TreeMap<>();
    violations.forEach(v -> errors.put(v.getPropertyPath().toString(), v.getMessage()));
    return errors;
  }
}
