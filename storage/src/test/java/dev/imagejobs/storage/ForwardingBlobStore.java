package dev.imagejobs.storage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A blob store that hands every call to another one; tests extend it to make a few calls fail or
 * answer differently (shipped in the storage test-jar).
 */
public abstract class ForwardingBlobStore implements BlobStore {
  private final BlobStore delegate;

  protected ForwardingBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** Writes go through {@link #putIfAbsent(BlobPath, byte[], BlobMetadata, Durability)}: override that one. */
  @Override
  public final PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata) {
    return putIfAbsent(path, content, metadata, Durability.SURVIVES_MACHINE_CRASH);
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata, Durability durability) {
    return delegate.putIfAbsent(path, content, metadata, durability);
  }

  @Override
  public PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    return delegate.copyIfAbsent(source, target, metadata, durability);
  }

  @Override
  public void copyReplacing(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    delegate.copyReplacing(source, target, metadata, durability);
  }

  @Override
  public Optional<Blob> get(BlobPath path) {
    return delegate.get(path);
  }

  @Override
  public Optional<BlobStream> openStream(BlobPath path) {
    return delegate.openStream(path);
  }

  @Override
  public boolean delete(BlobPath path) {
    return delegate.delete(path);
  }

  @Override
  public List<BlobListing> list(BlobPath folder) {
    return delegate.list(folder);
  }

  @Override
  public URI uri(BlobPath path) {
    return delegate.uri(path);
  }

  @Override
  public Optional<URI> signedUrl(BlobPath path, Duration expiry) {
    return delegate.signedUrl(path, expiry);
  }
}
