package dev.imagejobs.generation.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.schemas.avro.ImageVariant;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunVariantsTest {
  private static final GenerationFailure OVERLOADED = new GenerationFailure(ErrorClass.TEMPORARY, "503",
      "The model is overloaded", true, Optional.empty());
  private static final GenerationFailure BLOCKED = new GenerationFailure(ErrorClass.CONTENT_BLOCKED, "SAFETY",
      "Blocked by safety filters", false, Optional.empty());

  @Test
  void givenAnAttemptWhoseVariantsFailedAlike_whenDescribed_thenTheyAreNamedTogetherAndThoseFailedForGoodMarked() {
    RunVariants variants = new RunVariants(4);

    variants.record(List.of(failed(1, 1, OVERLOADED), generated(2, 1, 10), failed(3, 1, OVERLOADED),
        failed(4, 1, BLOCKED)));

    assertThat(variants.open()).containsExactly(1, 3);
    assertThat(variants.retryable()).extracting(VariantOutcome::variant).containsExactly(1, 3);
    assertThat(variants.attemptFailures(1)).isEqualTo("variants 1 and 3: TEMPORARY 503 The model is overloaded; "
        + "variant 4: CONTENT_BLOCKED SAFETY Blocked by safety filters (not retried)");
  }

  @Test
  void givenVariantsEndedOverSeveralAttempts_whenEveryOneEnded_thenTheyAreListedInOrderWithTheSumOfTheirCosts() {
    RunVariants variants = new RunVariants(3);
    variants.reuse(3, 2, staged("staging/job/attempt-2-variant-3.png", 41_000));
    variants.record(List.of(generated(1, 1, 39_000), failed(2, 1, OVERLOADED)));
    variants.record(List.of(new VariantOutcome.Failed(2, 2, BLOCKED, 40_000)));

    assertThat(variants.allEnded()).isTrue();
    assertThat(variants.costMicros()).isEqualTo(120_000);
    assertThat(variants.lastAttempt()).isEqualTo(2);
    assertThat(variants.stagedHere()).extracting(StagedArtifact::ref).containsExactly("staging/job/attempt-1.png");
    assertThat(variants.staged()).extracting(StagedArtifact::ref)
        .containsExactly("staging/job/attempt-1.png", "staging/job/attempt-2-variant-3.png");
    List<ImageVariant> described = variants.describe();
    assertThat(described).extracting(ImageVariant::getVariant).containsExactly(1, 2, 3);
    assertThat(described).extracting(ImageVariant::getActualCostMicros).containsExactly(39_000L, 40_000L, 41_000L);
    assertThat(described.get(1).getPath()).isNull();
    assertThat(described.get(1).getErrorCode()).isEqualTo("SAFETY");
  }

  @Test
  void givenRetryableFailuresWithNoRetryLeft_whenGivenUp_thenTheRunFailsWithTheFirstVariantsClassAndEveryFailure() {
    RunVariants variants = new RunVariants(2);
    variants.record(List.of(failed(1, 4, OVERLOADED), failed(2, 4, new GenerationFailure(ErrorClass.RATE_LIMIT,
        "RESOURCE_EXHAUSTED", "Quota exceeded", true, Optional.of(Duration.ofHours(1))))));

    variants.retryable().forEach(variants::giveUp);

    GenerationFailure failure = variants.failure();
    assertThat(failure.errorClass()).isEqualTo(ErrorClass.TEMPORARY);
    assertThat(failure.code()).isEqualTo("503");
    assertThat(failure.retryable()).isFalse();
    assertThat(failure.message()).isEqualTo("All 2 variants failed: variant 1: TEMPORARY 503 The model is overloaded; "
        + "variant 2: RATE_LIMIT RESOURCE_EXHAUSTED Quota exceeded");
  }

  @Test
  void givenAJobOfOneImage_whenItFails_thenItsFailureIsTheRunsAsItIs() {
    RunVariants variants = new RunVariants(1);
    variants.record(List.of(failed(1, 1, OVERLOADED)));

    assertThat(variants.attemptFailures(1)).isEqualTo("The model is overloaded");
    variants.retryable().forEach(variants::giveUp);
    assertThat(variants.failure()).isEqualTo(OVERLOADED);
  }

  private static VariantOutcome.Failed failed(int variant, int attempt, GenerationFailure failure) {
    return new VariantOutcome.Failed(variant, attempt, failure, 0);
  }

  private static VariantOutcome.Generated generated(int variant, int attempt, long costMicros) {
    String name = "attempt-" + attempt + (variant == 1 ? "" : "-variant-" + variant) + ".png";
    return new VariantOutcome.Generated(variant, attempt, staged("staging/job/" + name, costMicros), null, false);
  }

  private static StagedArtifact staged(String ref, long costMicros) {
    return new StagedArtifact(ref, "image/png", 100, "ab", 16, 9, costMicros);
  }
}
