package dev.imagejobs.generation.jobs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A number of bytes the runs in flight may hold at once, handed out in the order asked for: a run
 * asks for its share and gets a future that completes once the share fits, so nothing waits on a
 * thread; a large share is not overtaken by smaller ones, so it never starves. A share is held until
 * released, once, whatever ended the work it was for (ByteBudgetTest, ReferenceLoaderTest).
 */
final class ByteBudget {
  private final long capacity;
  /** Guarded by {@code this}, as is {@link #waiting}. */
  private long available;
  private final Queue<Waiter> waiting = new ArrayDeque<>();

  ByteBudget(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("A byte budget must be at least one byte, got " + capacity);
    }
    this.capacity = capacity;
    this.available = capacity;
  }

  long capacity() {
    return capacity;
  }

  synchronized long available() {
    return available;
  }

  /** Shares asked for and not yet granted. */
  synchronized int waiting() {
    return waiting.size();
  }

  /**
   * A share of {@code bytes}, granted now or once enough earlier shares are released. Cancelling the
   * future while it waits gives up the place in line.
   *
   * @throws IllegalArgumentException when {@code bytes} is negative or more than the whole budget,
   *     which would wait forever
   */
  CompletableFuture<Share> acquire(long bytes) {
    if (bytes < 0 || bytes > capacity) {
      throw new IllegalArgumentException("Cannot hold " + bytes + " bytes within a budget of " + capacity);
    }
    Waiter waiter;
    synchronized (this) {
      if (waiting.isEmpty() && bytes <= available) {
        available -= bytes;
        return CompletableFuture.completedFuture(new Share(bytes));
      }
      waiter = new Waiter(bytes, new CompletableFuture<>());
      waiting.add(waiter);
    }
    waiter.granted().whenComplete((share, failure) -> {
      if (failure != null) {
        giveUp(waiter);
      }
    });
    return waiter.granted();
  }

  private void giveUp(Waiter waiter) {
    synchronized (this) {
      if (!waiting.remove(waiter)) {
        return;
      }
    }
    // The shares behind it may fit now.
    grantWaiting();
  }

  private void release(long bytes) {
    synchronized (this) {
      available += bytes;
    }
    grantWaiting();
  }

  /** Grants the waiting shares that fit, first come first served, outside the lock. */
  private void grantWaiting() {
    List<Waiter> granted = new ArrayList<>();
    synchronized (this) {
      while (!waiting.isEmpty() && waiting.peek().bytes() <= available) {
        Waiter next = waiting.remove();
        available -= next.bytes();
        granted.add(next);
      }
    }
    for (Waiter waiter : granted) {
      Share share = new Share(waiter.bytes());
      if (!waiter.granted().complete(share)) {
        share.release(); // canceled as it was granted
      }
    }
  }

  /** Bytes held within the budget until {@link #release}d. */
  final class Share {
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private Share(long bytes) {
      this.bytes = bytes;
    }

    long bytes() {
      return bytes;
    }

    /** Gives the bytes back; later calls do nothing. */
    void release() {
      if (released.compareAndSet(false, true)) {
        ByteBudget.this.release(bytes);
      }
    }
  }

  private record Waiter(long bytes, CompletableFuture<Share> granted) {}
}
