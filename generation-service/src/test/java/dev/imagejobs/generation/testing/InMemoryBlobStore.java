package dev.imagejobs.generation.testing;

import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobListing;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A blob store in a map, whose writes and reads can be made to fail like an unreachable bucket's. */
public final class InMemoryBlobStore implements BlobStore {
  private final Map<BlobPath, Blob> blobs = new ConcurrentHashMap<>();
  private final Map<BlobPath, Instant> created = new ConcurrentHashMap<>();
  /** Writes that fail before the store takes them again; {@link Integer#MAX_VALUE} for all. */
  private final AtomicInteger failingWrites = new AtomicInteger();
  private volatile boolean failingReads;

  public void failWrites() {
    failingWrites.set(Integer.MAX_VALUE);
  }

  /** The next {@code count} writes fail, then the store is back. */
  public void failWrites(int count) {
    failingWrites.set(count);
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata) {
    if (failingWrites.getAndUpdate(left -> left == Integer.MAX_VALUE ? left : Math.max(0, left - 1)) > 0) {
      throw new StorageException("Cannot write " + path, new IOException("No space left on device"));
    }
    if (blobs.putIfAbsent(path, new Blob(content.clone(), metadata)) != null) {
      return PutOutcome.ALREADY_EXISTS;
    }
    created.put(path, Instant.now());
    return PutOutcome.CREATED;
  }

  /** Every read fails from now on. */
  public void failReads() {
    failingReads = true;
  }

  @Override
  public Optional<Blob> get(BlobPath path) {
    if (failingReads) {
      throw new StorageException("Cannot read " + path, new IOException("Connection reset"));
    }
    return Optional.ofNullable(blobs.get(path));
  }

  @Override
  public boolean delete(BlobPath path) {
    created.remove(path);
    return blobs.remove(path) != null;
  }

  @Override
  public List<BlobListing> list(BlobPath folder) {
    String prefix = folder.value() + "/";
    return blobs.entrySet().stream()
        .filter(entry -> entry.getKey().value().startsWith(prefix))
        .map(entry -> new BlobListing(entry.getKey(), entry.getValue().content().length,
            created.getOrDefault(entry.getKey(), Instant.EPOCH)))
        .sorted(Comparator.comparing(listing -> listing.path().value()))
        .toList();
  }

  @Override
  public URI uri(BlobPath path) {
    return URI.create("memory:///" + path.value());
  }

  public Map<BlobPath, Blob> contents() {
    return Map.copyOf(blobs);
  }
}
