package dev.imagejobs.gateway.jobs;

import dev.imagejobs.gateway.ratelimit.Refusals;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * Bounds the images this gateway instance streams at once ({@code imagejobs.images.max-concurrent-downloads}):
 * each holds an open file, a thread while it reads and network buffers, so a burst of downloads gets
 * {@code 503} with {@code Retry-After} past the bound instead of starving the API.
 */
class ImageDownloads {
  private static final long RETRY_AFTER_SECONDS = 1;

  private final int max;
  private final Semaphore permits;

  ImageDownloads(ImageDownloadSettings settings) {
    this.max = settings.maxConcurrentDownloads();
    this.permits = new Semaphore(max);
  }

  /**
   * Counts a download.
   *
   * @return what to run when it ends, which gives the permit back (running it again does nothing)
   * @throws ErrorResponseException a {@code 503} problem when the bound is reached
   */
  Runnable admit() {
    if (!permits.tryAcquire()) {
      throw Refusals.retryLater(HttpStatus.SERVICE_UNAVAILABLE, "Too many image downloads",
          "This gateway is sending as many images as it may at once (" + max + "); try again in "
              + RETRY_AFTER_SECONDS + " s", RETRY_AFTER_SECONDS);
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        permits.release();
      }
    };
  }

  /** Downloads running now. */
  int running() {
    return max - permits.availablePermits();
  }
}
