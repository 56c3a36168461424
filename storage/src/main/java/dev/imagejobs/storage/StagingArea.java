package dev.imagejobs.storage;

import java.util.Map;

/**
 * The staging area of the claim check, shared by the generation service (which writes generated
 * images there) and the upload service (which moves them to their final paths): one folder per job
 * under {@code staging/} (a manual retry's run in its {@code retry-{r}/} subfolder), a cancel marker
 * in a run's folder once a cancel of that run was requested, so that whichever service holds the run
 * last discards its result instead of storing it, and a stored marker beside each staged image that
 * reached its final path.
 */
public final class StagingArea {
  /** Top folder of staged artifacts; a bucket lifecycle rule may expire it (docs/storage.md). */
  public static final String PREFIX = "staging";

  private static final String CANCEL_MARKER = "cancel-requested";
  private static final String STORED_SUFFIX = ".stored";

  private StagingArea() {}

  /** The folder of one job's staged artifacts. */
  public static BlobPath folder(String jobId) {
    return BlobPath.of(PREFIX, jobId);
  }

  /** The top folder, for sweepers. */
  public static BlobPath root() {
    return new BlobPath(PREFIX);
  }

  /**
   * Records that a cancel was requested for the job; idempotent. The marker survives a crash of the
   * machine: the request's offset is committed once it is written, so nothing else would remember
   * the cancel. Cancels are rare, so this costs nothing per job.
   */
  public static void markCanceled(BlobStore store, String jobId, int run, String tenantId) {
    store.putIfAbsent(cancelMarker(jobId, run), new byte[0], new BlobMetadata("application/octet-stream",
            "private, no-store", Map.of("jobId", jobId, "tenantId", tenantId, "run", Integer.toString(run))),
        Durability.SURVIVES_MACHINE_CRASH);
  }

  /** Whether a cancel was requested for this run of the job; a cancel of another run does not count. */
  public static boolean isCanceled(BlobStore store, String jobId, int run) {
    return store.get(cancelMarker(jobId, run)).isPresent();
  }

  /**
   * Records that the image staged at {@code staged} was stored at its final path, before the staged
   * copy is deleted: a generation service that is handed the job's request again (its offset was
   * not yet committed when it stopped) then knows the image exists instead of paying for another.
   *
   * <p>The marker only has to outlive the staged copy, and is not synced on its own: on a local disk
   * it is linked beside the staged copy before that copy is unlinked, and a journaling filesystem
   * (ext4, XFS) replays directory changes in the order they were made, so a power cut that keeps the
   * unlink keeps the marker; one that loses both brings back the staged copy, which is announced
   * again under the same event ids. A bucket keeps every write anyway.
   */
  public static void markStored(BlobStore store, BlobPath staged, String jobId) {
    store.putIfAbsent(storedMarker(staged), new byte[0],
        new BlobMetadata("application/octet-stream", "private, no-store", Map.of("jobId", jobId)),
        Durability.SURVIVES_PROCESS_CRASH);
  }

  /** Whether the image staged at {@code staged} was already stored at its final path. */
  public static boolean isStored(BlobStore store, BlobPath staged) {
    return store.get(storedMarker(staged)).isPresent();
  }

  /** Where the stored marker of the image staged at {@code staged} lives. */
  public static BlobPath storedMarker(BlobPath staged) {
    return new BlobPath(staged.value() + STORED_SUFFIX);
  }

  /**
   * Where the cancel marker of a run lives: {@code staging/{jobId}/cancel-requested} for the first
   * run (where every marker lived before runs had their own), {@code staging/{jobId}/retry-{r}/cancel-requested}
   * for the r-th retry.
   */
  public static BlobPath cancelMarker(String jobId, int run) {
    return run == 0 ? BlobPath.of(PREFIX, jobId, CANCEL_MARKER) : BlobPath.of(PREFIX, jobId, "retry-" + run, CANCEL_MARKER);
  }
}
