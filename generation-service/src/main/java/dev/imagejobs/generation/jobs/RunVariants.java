package dev.imagejobs.generation.jobs;

import dev.imagejobs.schemas.avro.ImageVariant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The variants of one run and how its attempts ended them. A variant is open until its image is
 * generated and staged, or until it fails for good: with a failure retrying cannot fix, or with its
 * last retryable failure once no retry is left for it. Each attempt calls the provider for the open
 * variants only; an image an earlier delivery of the run staged ends its variant before the first
 * attempt. A job of one image has one variant, number 1.
 *
 * <p>A run's attempts follow each other, and each records its outcomes once all its calls ended, so
 * this needs no lock: the futures that chain the attempts order every use.
 */
final class RunVariants {
  private final int count;
  private final SortedMap<Integer, VariantOutcome> ended = new TreeMap<>();
  /** The open variants whose call of the latest attempt failed retryably, by number. */
  private final SortedMap<Integer, VariantOutcome.Failed> retryable = new TreeMap<>();

  /** @param count the job's variants, at least 1 */
  RunVariants(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("A run makes at least one variant, not " + count);
    }
    this.count = count;
  }

  int count() {
    return count;
  }

  /** Whether the job asked for more than one image; only then do its events list the variants. */
  boolean several() {
    return count > 1;
  }

  /** The variants not ended yet, in order: those the next attempt calls the provider for. */
  List<Integer> open() {
    return IntStream.rangeClosed(1, count).filter(variant -> !ended.containsKey(variant)).boxed().toList();
  }

  boolean isOpen(int variant) {
    return variant >= 1 && variant <= count && !ended.containsKey(variant);
  }

  /** Ends {@code variant} with the image an earlier delivery staged at {@code attempt}: no call is made for it. */
  void reuse(int variant, int attempt, StagedArtifact staged) {
    ended.put(variant, new VariantOutcome.Generated(variant, attempt, staged, null, true));
  }

  /**
   * Records how an attempt's calls ended: an image, or a failure that retrying cannot fix, ends its
   * variant; a retryable failure leaves it open, among {@link #retryable()}.
   */
  void record(List<VariantOutcome> outcomes) {
    retryable.clear();
    for (VariantOutcome outcome : outcomes) {
      if (outcome instanceof VariantOutcome.Failed failed && failed.failure().retryable()) {
        retryable.put(outcome.variant(), failed);
      } else {
        ended.put(outcome.variant(), outcome);
      }
    }
  }

  /** The failures of the latest attempt that another attempt may fix, in variant order. */
  List<VariantOutcome.Failed> retryable() {
    return List.copyOf(retryable.values());
  }

  /** Ends a variant with its retryable failure, as no retry is left for it. */
  void giveUp(VariantOutcome.Failed failed) {
    retryable.remove(failed.variant());
    ended.put(failed.variant(), failed);
  }

  boolean allEnded() {
    return ended.size() == count;
  }

  /** The first variant generated so far, the one the top-level fields of {@code ImageGenerated} describe. */
  Optional<VariantOutcome.Generated> firstGenerated() {
    return generated().stream().findFirst();
  }

  /** Every image of the run staged so far, an earlier delivery's included, in variant order. */
  List<StagedArtifact> staged() {
    return generated().stream().map(VariantOutcome.Generated::staged).toList();
  }

  /** The images this delivery generated and staged, in variant order. */
  List<StagedArtifact> stagedHere() {
    return generated().stream().filter(generated -> !generated.reused()).map(VariantOutcome.Generated::staged)
        .toList();
  }

  /** What the calls of every ended variant cost, in micro-USD. */
  long costMicros() {
    return ended.values().stream().mapToLong(VariantOutcome::costMicros).sum();
  }

  /** The highest attempt that ended a variant: the attempt the run's last event names. */
  int lastAttempt() {
    return ended.values().stream().mapToInt(VariantOutcome::attempt).max().orElse(JobRunner.FIRST_ATTEMPT);
  }

  /**
   * Why the run failed, once every variant failed: for one variant its failure; for several, the
   * first variant's class and code with every variant's failure in the message.
   */
  GenerationFailure failure() {
    List<VariantOutcome.Failed> failed = ended.values().stream()
        .filter(VariantOutcome.Failed.class::isInstance).map(VariantOutcome.Failed.class::cast).toList();
    if (failed.isEmpty() || failed.size() != count) {
      throw new IllegalStateException("Not every variant failed: " + ended.values());
    }
    GenerationFailure first = failed.get(0).failure();
    if (!several()) {
      return first;
    }
    return new GenerationFailure(first.errorClass(), first.code(),
        "All " + count + " variants failed: " + list(failed, variant -> ""), false, Optional.empty());
  }

  /**
   * What {@code GenerationAttemptFailed} says of {@code attempt}: for one variant its failure's
   * message; for several, each variant that failed in it and why, those failed for good marked.
   */
  String attemptFailures(int attempt) {
    if (!several()) {
      return retryable.values().iterator().next().failure().message();
    }
    List<VariantOutcome.Failed> failed = new ArrayList<>(retryable.values());
    ended.values().stream()
        .filter(outcome -> outcome instanceof VariantOutcome.Failed && outcome.attempt() == attempt)
        .forEach(outcome -> failed.add((VariantOutcome.Failed) outcome));
    failed.sort((a, b) -> Integer.compare(a.variant(), b.variant()));
    return list(failed, variant -> retryable.containsKey(variant) ? "" : " (not retried)");
  }

  /** Every variant in order as {@code ImageGenerated} lists it; call once every variant ended. */
  List<ImageVariant> describe() {
    List<ImageVariant> variants = new ArrayList<>(count);
    for (VariantOutcome outcome : ended.values()) {
      ImageVariant.Builder variant = ImageVariant.newBuilder()
          .setVariant(outcome.variant())
          .setActualCostMicros(outcome.costMicros());
      if (outcome instanceof VariantOutcome.Generated generated) {
        StagedArtifact staged = generated.staged();
        variant.setPath(staged.ref())
            .setContentType(staged.contentType())
            .setSizeBytes(staged.sizeBytes())
            .setSha256(staged.sha256())
            .setWidth(staged.width())
            .setHeight(staged.height());
      } else if (outcome instanceof VariantOutcome.Failed failed) {
        variant.setErrorClass(failed.failure().errorClass().name())
            .setErrorCode(failed.failure().code())
            .setMessage(failed.failure().message());
      }
      variants.add(variant.build());
    }
    return variants;
  }

  private List<VariantOutcome.Generated> generated() {
    return ended.values().stream()
        .filter(VariantOutcome.Generated.class::isInstance).map(VariantOutcome.Generated.class::cast).toList();
  }

  /**
   * The failures one after another, those of the same failure together:
   * {@code variants 1 and 3: TEMPORARY 503 Overloaded; variant 2: CONTENT_BLOCKED SAFETY Blocked (not retried)}.
   */
  private static String list(List<VariantOutcome.Failed> failed, IntFunction<String> note) {
    Map<String, List<Integer>> byReason = new LinkedHashMap<>();
    for (VariantOutcome.Failed variant : failed) {
      String reason = variant.failure().describe() + note.apply(variant.variant());
      byReason.computeIfAbsent(reason, same -> new ArrayList<>()).add(variant.variant());
    }
    List<String> parts = new ArrayList<>(byReason.size());
    byReason.forEach((reason, variants) -> parts.add(numbers(variants) + ": " + reason));
    return String.join("; ", parts);
  }

  /** {@code variant 2}, {@code variants 1 and 3}, {@code variants 1, 2 and 4}. */
  private static String numbers(List<Integer> variants) {
    if (variants.size() == 1) {
      return "variant " + variants.get(0);
    }
    List<String> names = variants.stream().map(String::valueOf).toList();
    return "variants " + String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
  }
}
