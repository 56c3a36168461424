package dev.imagejobs.infra.benchmark;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import reactor.core.Disposable;

/** One open event stream: how it was answered, whether it has ended, and how to close it. */
public final class SseSubscription implements AutoCloseable {

  /** Status of a stream that failed before any answer (connection refused, reset, timeout). */
  static final int NO_ANSWER = -1;

  private final CompletableFuture<Integer> status = new CompletableFuture<>();
  private volatile Disposable disposable;
  private volatile boolean ended;

  void disposable(Disposable disposable) {
    this.disposable = disposable;
  }

  void answered(int code) {
    status.complete(code);
  }

  void failed(Throwable error) {
    ended = true;
    status.complete(NO_ANSWER);
  }

  void ended() {
    ended = true;
    status.complete(NO_ANSWER);
  }

  /** The HTTP status, {@link #NO_ANSWER} when none came, or empty when none came within {@code timeout}. */
  OptionalInt awaitStatus(Duration timeout) {
    try {
      return OptionalInt.of(status.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return OptionalInt.empty();
    } catch (ExecutionException e) {
      return OptionalInt.of(NO_ANSWER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  boolean isOpen() {
    return !ended && status.isDone() && status.getNow(NO_ANSWER) == 200;
  }

  @Override
  public void close() {
    ended = true;
    Disposable current = disposable;
    if (current != null) {
      current.dispose();
    }
  }
}
