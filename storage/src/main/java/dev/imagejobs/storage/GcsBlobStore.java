package dev.imagejobs.storage;

import com.google.api.gax.paging.Page;
import com.google.auth.ServiceAccountSigner;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobSourceOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.SignUrlOption;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.Channels;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@link BlobStore} on a Google Cloud Storage bucket: each object is named
 * {@code prefix + path}, its metadata kept as the object's content type, Cache-Control and custom
 * metadata. Writes carry the {@code ifGenerationMatch=0} precondition, so GCS itself refuses to
 * replace an existing object, whichever instance writes; only {@link #copyReplacing} goes without
 * it. Objects stay private; readers outside the services get V4 signed URLs ({@link #signedUrl}).
 *
 * <p>The client retries a write that failed transiently, which is safe because of the
 * precondition; a retry of a write that in fact succeeded answers {@link PutOutcome#ALREADY_EXISTS}
 * with the writer's own content in place.
 */
public final class GcsBlobStore implements BlobStore {

  /** GCS bucket names: 3 to 222 lower-case letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
  private static final int PRECONDITION_FAILED = 412;
  private static final int NOT_FOUND = 404;
  /** Reads that lose a race with a delete and recreate (412 on the generation) start over this often. */
  private static final int READ_ATTEMPTS = 3;
  /** The longest expiry V4 signatures allow. */
  static final Duration MAX_SIGNED_URL_EXPIRY = Duration.ofDays(7);

  private final Storage storage;
  private final String bucket;
  private final String prefix;
  private final Signing signing;
  private final ServiceAccountSigner signer;

  private enum Signing { CLIENT_CREDENTIALS, SIGNER, DISABLED }

  /**
   * A store on {@code bucket}, naming objects {@code prefix + path}; signed URLs are signed with
   * the client's credentials.
   *
   * @param prefix folder-like object name prefix such as {@code images/}; null or empty for none
   */
  public GcsBlobStore(Storage storage, String bucket, String prefix) {
    this(storage, requireBucket(bucket), normalizePrefix(prefix), Signing.CLIENT_CREDENTIALS, null);
  }

  private GcsBlobStore(Storage storage, String bucket, String prefix, Signing signing, ServiceAccountSigner signer) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.bucket = bucket;
    this.prefix = prefix;
    this.signing = signing;
    this.signer = signer;
  }

  /** The same store, signing URLs with {@code signer} (e.g. a service account key) instead of the client's credentials. */
  public GcsBlobStore withSigner(ServiceAccountSigner signer) {
    return new GcsBlobStore(storage, bucket, prefix, Signing.SIGNER, Objects.requireNonNull(signer, "signer"));
  }

  /** The same store, answering no signed URLs (an emulator cannot check them, nor can credentials that cannot sign). */
  public GcsBlobStore withoutSignedUrls() {
    return new GcsBlobStore(storage, bucket, prefix, Signing.DISABLED, null);
  }

  /** The bucket holding the objects. */
  public String bucket() {
    return bucket;
  }

  /** The object name prefix, empty or ending with '/'. */
  public String prefix() {
    return prefix;
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata) {
    try {
      storage.create(infoOf(path, metadata), content, BlobTargetOption.doesNotExist());
      return PutOutcome.CREATED;
    } catch (com.google.cloud.storage.StorageException e) {
      if (e.getCode() == PRECONDITION_FAILED) {
        return PutOutcome.ALREADY_EXISTS;
      }
      throw translate("Cannot write " + path, e);
    }
  }

  /**
   * A copy made by GCS itself (a rewrite, which for objects of one bucket and storage class is a
   * metadata operation), with the target's metadata and the {@code ifGenerationMatch=0} precondition
   * on the target: the bytes are not uploaded again.
   */
  @Override
  public PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    Storage.CopyRequest request = Storage.CopyRequest.newBuilder()
        .setSource(blobId(source))
        .setTarget(infoOf(target, metadata), BlobTargetOption.doesNotExist())
        .build();
    try {
      storage.copy(request).getResult();
      return PutOutcome.CREATED;
    } catch (com.google.cloud.storage.StorageException e) {
      if (e.getCode() == PRECONDITION_FAILED) {
        return PutOutcome.ALREADY_EXISTS;
      }
      if (e.getCode() == NOT_FOUND) {
        throw new MissingObjectException("Cannot copy " + source + ": no such object", e);
      }
      throw translate("Cannot copy " + source + " to " + target, e);
    }
  }

  /**
   * A copy made by GCS itself, as {@link #copyIfAbsent} but without a precondition on the target: GCS
   * writes a new generation of the object whole, so readers (which read the bytes of the generation
   * whose metadata they read) see the old generation or the new one. The bucket keeps every write, so
   * {@code durability} changes nothing.
   */
  @Override
  public void copyReplacing(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    Storage.CopyRequest request = Storage.CopyRequest.newBuilder()
        .setSource(blobId(source))
        .setTarget(infoOf(target, metadata))
        .build();
    try {
      storage.copy(request).getResult();
    } catch (com.google.cloud.storage.StorageException e) {
      if (e.getCode() == NOT_FOUND) {
        throw new MissingObjectException("Cannot copy " + source + " over " + target + ": no such object", e);
      }
      throw translate("Cannot copy " + source + " over " + target, e);
    }
  }

  @Override
  public Optional<Blob> get(BlobPath path) {
    BlobId id = blobId(path);
    for (int attempt = 1; ; attempt++) {
      try {
        com.google.cloud.storage.Blob object = storage.get(id);
        if (object == null) {
          return Optional.empty();
        }
        // Read the generation whose metadata was just read, so bytes and metadata belong together.
        byte[] content = object.getGeneration() == null
            ? storage.readAllBytes(id)
            : storage.readAllBytes(id, BlobSourceOption.generationMatch(object.getGeneration()));
        return Optional.of(new Blob(content, metadataOf(object)));
      } catch (com.google.cloud.storage.StorageException e) {
        boolean replacedOrDeleted = e.getCode() == PRECONDITION_FAILED || e.getCode() == NOT_FOUND;
        if (!replacedOrDeleted || attempt == READ_ATTEMPTS) {
          throw translate("Cannot read " + path, e);
        }
      }
    }
  }

  /**
   * Opens the object's current generation for reading in chunks as the caller consumes them; the
   * bytes read are those of the generation whose metadata is returned, even if the object is
   * replaced meanwhile (the read then fails instead of mixing two versions).
   */
  @Override
  public Optional<BlobStream> openStream(BlobPath path) {
    BlobId id = blobId(path);
    try {
      com.google.cloud.storage.Blob object = storage.get(id);
      if (object == null) {
        return Optional.empty();
      }
      ReadChannel reader = object.getGeneration() == null
          ? storage.reader(id)
          : storage.reader(id, BlobSourceOption.generationMatch(object.getGeneration()));
      long size = object.getSize() == null ? -1 : object.getSize();
      return Optional.of(new BlobStream(Channels.newInputStream(reader), size, metadataOf(object)));
    } catch (com.google.cloud.storage.StorageException e) {
      throw translate("Cannot read " + path, e);
    }
  }

  @Override
  public boolean delete(BlobPath path) {
    try {
      return storage.delete(blobId(path));
    } catch (com.google.cloud.storage.StorageException e) {
      throw translate("Cannot delete " + path, e);
    }
  }

  @Override
  public List<BlobListing> list(BlobPath folder) {
    // The trailing '/' keeps "staging" from matching "stagingx/...".
    String folderPrefix = prefix + folder.value() + "/";
    List<BlobListing> listing = new ArrayList<>();
    try {
      Page<com.google.cloud.storage.Blob> page = storage.list(bucket, BlobListOption.prefix(folderPrefix));
      for (com.google.cloud.storage.Blob object : page.iterateAll()) {
        String name = object.getName();
        if (name.endsWith("/")) {
          continue; // a folder placeholder made by the console, not an object of this store
        }
        listing.add(new BlobListing(new BlobPath(name.substring(prefix.length())),
            object.getSize() == null ? 0 : object.getSize(), createdAt(object)));
      }
    } catch (com.google.cloud.storage.StorageException e) {
      throw translate("Cannot list " + folder, e);
    }
    listing.sort(Comparator.comparing(entry -> entry.path().value()));
    return listing;
  }

  @Override
  public URI uri(BlobPath path) {
    // Bucket names and paths hold only URI-safe characters; '_' in a bucket makes a registry-based authority.
    return URI.create("gs://" + bucket + "/" + objectName(path));
  }

  /**
   * A V4 signed GET URL of the object, valid for {@code expiry} (at most 7 days). Signing needs a
   * service account: a key, or ADC of a service account allowed to sign for itself
   * ({@code roles/iam.serviceAccountTokenCreator}).
   *
   * @throws StorageException when the credentials cannot sign
   */
  @Override
  public Optional<URI> signedUrl(BlobPath path, Duration expiry) {
    if (signing == Signing.DISABLED) {
      return Optional.empty();
    }
    if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(MAX_SIGNED_URL_EXPIRY) > 0) {
      throw new IllegalArgumentException("Signed URL expiry must be between 1s and 7d, not " + expiry);
    }
    SignUrlOption[] options = signing == Signing.SIGNER
        ? new SignUrlOption[] {SignUrlOption.withV4Signature(), SignUrlOption.signWith(signer)}
        : new SignUrlOption[] {SignUrlOption.withV4Signature()};
    try {
      return Optional.of(storage.signUrl(BlobInfo.newBuilder(blobId(path)).build(), expiry.toSeconds(),
          TimeUnit.SECONDS, options).toURI());
    } catch (IllegalStateException | ServiceAccountSigner.SigningException e) {
      throw new StorageException("Cannot sign a URL for " + path + ": " + e.getMessage(), e);
    } catch (URISyntaxException e) {
      throw new StorageException("Signed URL of " + path + " is not a URI", e);
    }
  }

  private BlobInfo infoOf(BlobPath path, BlobMetadata metadata) {
    return BlobInfo.newBuilder(blobId(path))
        .setContentType(metadata.contentType())
        .setCacheControl(metadata.cacheControl())
        .setMetadata(metadata.custom().isEmpty() ? null : metadata.custom())
        .build();
  }

  private BlobId blobId(BlobPath path) {
    return BlobId.of(bucket, objectName(path));
  }

  private String objectName(BlobPath path) {
    return prefix + path.value();
  }

  private static BlobMetadata metadataOf(com.google.cloud.storage.Blob object) {
    Map<String, String> custom = object.getMetadata();
    return new BlobMetadata(object.getContentType(), object.getCacheControl(), custom == null ? Map.of() : custom);
  }

  private static Instant createdAt(com.google.cloud.storage.Blob object) {
    OffsetDateTime created = object.getCreateTimeOffsetDateTime();
    if (created == null) {
      // Each generation is written whole and never changed, so its update time is its creation time.
      created = object.getUpdateTimeOffsetDateTime();
    }
    if (created == null) {
      throw new StorageException("Object " + object.getName() + " has no creation time", null);
    }
    return created.toInstant();
  }

  private static StorageException translate(String message, com.google.cloud.storage.StorageException e) {
    String kind = e.isRetryable() ? "retryable" : "not retryable";
    return new StorageException(message + " (HTTP " + e.getCode() + ", " + kind + "): " + e.getMessage(), e);
  }

  static String requireBucket(String bucket) {
    if (bucket == null || !BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException("Invalid GCS bucket name '" + bucket
          + "': 3 to 222 lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
    }
    return bucket;
  }

  /** Empty, or validated segments ending with '/': {@code images} and {@code /images/} both give {@code images/}. */
  static String normalizePrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      return "";
    }
    String trimmed = prefix.strip();
    int start = trimmed.startsWith("/") ? 1 : 0;
    int end = trimmed.endsWith("/") ? trimmed.length() - 1 : trimmed.length();
    if (start >= end) {
      return "";
    }
    try {
      return new BlobPath(trimmed.substring(start, end)).value() + "/";
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid object name prefix '" + prefix + "': " + e.getMessage(), e);
    }
  }
}
