package dev.imagejobs.storage;

import java.util.Map;

/**
 * The staging area of the claim check, shared by the generation service (which writes generated
 * images there) and the upload service (which moves them to their final paths): one folder per job
 * under {@code staging/}, and a cancel marker in that folder once a cancel was requested, so that
 * whichever service holds the job last discards its result instead of storing it.
 */
public final class StagingArea {
  /** Top folder of staged artifacts; a bucket lifecycle rule may expire it (docs/storage.md). */
  public static final String PREFIX = "staging";

  private static final String CANCEL_MARKER = "cancel-requested";

  private StagingArea() {}

  /** The folder of one job's staged artifacts. */
  public static BlobPath folder(String jobId) {
    return BlobPath.of(PREFIX, jobId);
  }

  /** The top folder, for sweepers. */
  public static BlobPath root() {
    return new BlobPath(PREFIX);
  }

  /** Records that a cancel was requested for the job; idempotent. */
  public static void markCanceled(BlobStore store, String jobId, String tenantId) {
    store.putIfAbsent(cancelMarker(jobId), new byte[0],
        new BlobMetadata("application/octet-stream", "private, no-store", Map.of("jobId", jobId, "tenantId", tenantId)));
  }

  /** Whether a cancel was requested for the job. */
  public static boolean isCanceled(BlobStore store, String jobId) {
    return store.get(cancelMarker(jobId)).isPresent();
  }

  static BlobPath cancelMarker(String jobId) {
    return BlobPath.of(PREFIX, jobId, CANCEL_MARKER);
  }
}
