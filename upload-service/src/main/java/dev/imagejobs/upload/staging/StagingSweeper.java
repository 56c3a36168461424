package dev.imagejobs.upload.staging;

import dev.imagejobs.storage.BlobListing;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.StagingArea;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes staged objects older than the maximum age: images whose upload failed or whose staged copy
 * could not be deleted, and cancel markers of jobs long over. A storage error is logged and the
 * sweep goes on, or ends early; the next sweep tries again. Several instances may sweep at once,
 * since deleting an object twice is harmless.
 */
class StagingSweeper {

  private static final Logger log = LoggerFactory.getLogger(StagingSweeper.class);

  private final BlobStore store;
  private final Clock clock;
  private final Duration maxAge;

  StagingSweeper(BlobStore store, Clock clock, Duration maxAge) {
    this.store = store;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** Sweeps once; returns how many objects it removed. */
  int sweep() {
    Instant cutoff = clock.instant().minus(maxAge);
    List<BlobListing> staged;
    try {
      staged = store.list(StagingArea.root());
    } catch (RuntimeException e) {
      // Never let a storage failure stop the schedule; the next sweep lists again.
      log.warn("Staging sweep skipped: cannot list {}: {}", StagingArea.root(), e.toString());
      return 0;
    }
    int removed = 0;
    int failed = 0;
    for (BlobListing object : staged) {
      if (!object.createdAt().isBefore(cutoff)) {
        continue;
      }
      try {
        if (store.delete(object.path())) {
          removed++;
        }
      } catch (RuntimeException e) {
        failed++;
        log.warn("Staging sweep cannot remove {}: {}", object.path(), e.toString());
      }
    }
    if (removed > 0 || failed > 0) {
      log.info("Staging sweep removed {} objects older than {} ({} could not be removed)", removed, maxAge, failed);
    } else {
      log.debug("Staging sweep found nothing older than {} among {} objects", maxAge, staged.size());
    }
    return removed;
  }
}
