package dev.imagejobs.generation.jobs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs steps one after another on an executor, in the order they are handed in, with no thread
 * waiting between them; a step that fails does not stop the next. An attempt of an edit with several
 * variants composites them this way, so their decoded pictures stay within the one share of the
 * memory budget its images hold.
 */
final class OneAtATime {
  private final Executor executor;
  private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

  OneAtATime(Executor executor) {
    this.executor = executor;
  }

  /** Runs {@code step} once every step handed in before it has ended. */
  synchronized <T> CompletableFuture<T> run(Supplier<T> step) {
    CompletableFuture<T> next = last.handle((ignored, failure) -> null).thenApplyAsync(ignored -> step.get(), executor);
    last = next;
    return next;
  }
}
