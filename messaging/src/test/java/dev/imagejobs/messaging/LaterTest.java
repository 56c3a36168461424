package dev.imagejobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LaterTest {

  @Test
  void withoutADelayTheExecutorItselfRunsTheWork() {
    Executor direct = Runnable::run;

    assertThat(Later.after(Duration.ZERO, direct)).isSameAs(direct);
    assertThat(Later.after(Duration.ofMillis(-5), direct)).isSameAs(direct);
  }

  @Test
  void afterTheDelayTheWorkRunsOnTheGivenExecutorNotBefore() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor(work -> new Thread(work, "later-test"));
    try {
      AtomicReference<String> thread = new AtomicReference<>();
      long started = System.nanoTime();

      CompletableFuture.runAsync(() -> thread.set(Thread.currentThread().getName()),
          Later.after(Duration.ofMillis(50), executor)).get(5, TimeUnit.SECONDS);

      assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
      assertThat(thread.get()).isEqualTo("later-test");

      long waited = System.nanoTime();
      Later.waiting(Duration.ofMillis(30), executor).get(5, TimeUnit.SECONDS);
      assertThat(System.nanoTime() - waited).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    } finally {
      executor.shutdownNow();
    }
  }
}
