package dev.imagejobs.generation.testing;

import dev.imagejobs.storage.Blob;
import dev.imagejobs.storage.BlobMetadata;
import dev.imagejobs.storage.BlobPath;
import dev.imagejobs.storage.BlobStore;
import dev.imagejobs.storage.PutOutcome;
import dev.imagejobs.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A blob store in a map, whose writes can be made to fail like an unreachable bucket's. */
public final class InMemoryBlobStore implements BlobStore {
  private final Map<BlobPath, Blob> blobs = new ConcurrentHashMap<>();
  private volatile boolean failWrites;

  public void failWrites() {
    failWrites = true;
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata) {
    if (failWrites) {
      throw new StorageException("Cannot write " + path, new IOException("No space left on device"));
    }
    return blobs.putIfAbsent(path, new Blob(content.clone(), metadata)) == null
        ? PutOutcome.CREATED
        : PutOutcome.ALREADY_EXISTS;
  }

  @Override
  public Optional<Blob> get(BlobPath path) {
    return Optional.ofNullable(blobs.get(path));
  }

  @Override
  public boolean delete(BlobPath path) {
    return blobs.remove(path) != null;
  }

  @Override
  public URI uri(BlobPath path) {
    return URI.create("memory:///" + path.value());
  }

  public Map<BlobPath, Blob> contents() {
    return Map.copyOf(blobs);
  }
}
