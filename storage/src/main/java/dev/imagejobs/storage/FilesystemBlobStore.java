package dev.imagejobs.storage;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStore} on a local or shared filesystem: each object is a plain file at
 * {@code root/<path>}, its metadata a sidecar file {@code <name>~meta} beside it. Writes go to
 * temporary files in the target directory and are published with a hard link that fails if the
 * object exists, so a crash never leaves a partial object and an existing object is never replaced.
 * Safe for several threads and several processes sharing one root.
 *
 * <p>{@link #copyReplacing} replaces an object with two renames, so readers check that what they
 * read belongs together: the sidecar of a replacing write names the SHA-256 of its bytes and is
 * published as a pending sidecar {@code <name>~meta-next} before the bytes, then renamed over the
 * sidecar. A reader that finds a pending sidecar describing the bytes it read takes it; one that
 * sees the sidecar change while it reads starts again (see {@link #copyReplacing}).
 *
 * <p>A write that must survive a crash of the machine ({@link Durability#SURVIVES_MACHINE_CRASH})
 * fsyncs the bytes and the sidecar before publishing them, and the directory (and any directory it
 * had to create) after; other writes and deletes fsync nothing, which still leaves them whole after a
 * crash of the process. The lock that serializes writers of a path is held only while the object is
 * published, never during an fsync.
 */
public final class FilesystemBlobStore implements BlobStore {

  private static final Logger log = LoggerFactory.getLogger(FilesystemBlobStore.class);

  /** '~' cannot occur in a {@link BlobPath}, so store-internal files never collide with objects. */
  static final String INTERNAL_MARKER = "~";
  static final String SIDECAR_SUFFIX = INTERNAL_MARKER + "meta";
  /** The sidecar of a replacing write while its bytes are published ({@link #copyReplacing}). */
  static final String PENDING_SIDECAR_SUFFIX = INTERNAL_MARKER + "meta-next";
  static final String LOCK_DIRECTORY = INTERNAL_MARKER + "locks";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final int LOCK_STRIPES = 64;
  private static final int DIRECTORY_RACE_RETRIES = 3;
  /** Reads that see a replace finish meanwhile start over this often before they take the path's lock. */
  private static final int OPTIMISTIC_READS = 4;

  private static final String CONTENT_TYPE = "contentType";
  private static final String CACHE_CONTROL = "cacheControl";
  private static final String CUSTOM_PREFIX = "custom.";
  /** Sidecar keys of a replacing write, outside {@link #CUSTOM_PREFIX}: the SHA-256 of the bytes it describes. */
  static final String OBJECT_SHA256 = "object.sha256";
  /** ... and an id of the write, so that two replaces with equal metadata never leave equal sidecars. */
  static final String OBJECT_WRITE = "object.write";
  private static final String UNKNOWN_CONTENT_TYPE = "application/octet-stream";

  /**
   * Locks of every store in this JVM, keyed by lock file: the OS file lock only excludes other
   * processes, and two channels on one lock file in the same JVM would release each other's lock.
   */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path root;
  private final Path lockDirectory;
  private final LongAdder syncs = new LongAdder();

  /** A store rooted at {@code root}, which is created if absent. */
  public FilesystemBlobStore(Path root) {
    try {
      Files.createDirectories(root);
      this.root = root.toRealPath();
      this.lockDirectory = Files.createDirectories(this.root.resolve(LOCK_DIRECTORY));
    } catch (IOException e) {
      throw new StorageException("Cannot open blob store root " + root, e);
    }
  }

  /** The directory holding the objects. */
  public Path root() {
    return root;
  }

  /** fsync calls made so far, for tests of what each kind of write costs. */
  long syncs() {
    return syncs.sum();
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata) {
    return putIfAbsent(path, content, metadata, Durability.SURVIVES_MACHINE_CRASH);
  }

  @Override
  public PutOutcome putIfAbsent(BlobPath path, byte[] content, BlobMetadata metadata, Durability durability) {
    Path target = resolve(path);
    try {
      return publishIfAbsent(path, target, content, metadata, durability == Durability.SURVIVES_MACHINE_CRASH);
    } catch (IOException e) {
      throw new StorageException("Cannot write " + path, e);
    }
  }

  /**
   * Links the source's file at {@code target} beside a sidecar of its own, so the bytes are neither
   * read nor written again; a durable copy fsyncs the source's file (cheap once it is on disk), the
   * new sidecar and the folder. Where hard links are not possible the bytes are copied.
   */
  @Override
  public PutOutcome copyIfAbsent(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    Path from = resolve(source);
    Path to = resolve(target);
    boolean durable = durability == Durability.SURVIVES_MACHINE_CRASH;
    try {
      if (Files.isDirectory(to)) {
        throw new IOException(to + " is a folder of other objects");
      }
      if (Files.exists(to)) {
        return alreadyExists(to, durable);
      }
      if (!Files.isRegularFile(from)) {
        throw new MissingObjectException("Cannot copy " + source + ": no such object", null);
      }
      createDirectories(to.getParent(), durable);
      if (durable) {
        fsyncFile(from);
      }
      Path sidecar = sidecarOf(to);
      Path sidecarTemp = writeTemp(sidecar, serialize(metadata), durable);
      try {
        Boolean created = withLock(target, () -> {
          if (Files.exists(to)) {
            return false;
          }
          Files.deleteIfExists(pendingSidecarOf(to));
          Files.move(sidecarTemp, sidecar, StandardCopyOption.ATOMIC_MOVE);
          try {
            Files.createLink(to, from);
            return true;
          } catch (FileAlreadyExistsException e) {
            return false;
          } catch (UnsupportedOperationException | IOException e) {
            // No hard links here (or across devices), or the source went away: copy the bytes instead.
            Files.delete(sidecar);
            return null;
          }
        });
        if (created == null) {
          return BlobStore.super.copyIfAbsent(source, target, metadata, durability);
        }
        if (!created) {
          return alreadyExists(to, durable);
        }
        if (durable) {
          fsyncDirectory(to.getParent());
        }
        return PutOutcome.CREATED;
      } finally {
        Files.deleteIfExists(sidecarTemp);
      }
    } catch (IOException e) {
      throw new StorageException("Cannot copy " + source + " to " + target, e);
    }
  }

  /**
   * Links the source's file at a temporary name beside {@code target} (copying the bytes where hard
   * links are not possible) and writes the new sidecar, naming the SHA-256 of those bytes, to a
   * temporary file; then, holding the target's lock, renames the sidecar to the pending sidecar
   * {@code <name>~meta-next}, the bytes over the target, and the pending sidecar over the sidecar.
   * A durable replace fsyncs the source's file (cheap once it is on disk) and the new sidecar
   * before the renames and the folder after them, as every durable write does.
   *
   * <p>Readers hold no lock. One that sees the sidecar change while it reads starts again; one that
   * finds a pending sidecar takes it for the bytes it read when its SHA-256 is theirs, so between
   * the renames it reads the old object or the new one whole. A crash leaves a state readers read
   * the same way: before the bytes' rename, the old object (with a pending sidecar that describes
   * other bytes, which is ignored); between the bytes' rename and the sidecar's, the new bytes and a
   * pending sidecar describing them, which readers take (hashing the bytes to check, on every read,
   * until the next write of the path); after both, the new object. The next replace, create or
   * delete of the path overwrites or removes a pending sidecar left behind.
   */
  @Override
  public void copyReplacing(BlobPath source, BlobPath target, BlobMetadata metadata, Durability durability) {
    Path from = resolve(source);
    Path to = resolve(target);
    boolean durable = durability == Durability.SURVIVES_MACHINE_CRASH;
    try {
      if (!Files.isRegularFile(from)) {
        throw new MissingObjectException("Cannot copy " + source + " over " + target + ": no such object", null);
      }
      if (Files.isDirectory(to)) {
        throw new IOException(to + " is a folder of other objects");
      }
      Path dataTemp = linkOrCopyBeside(source, from, to, durable);
      Path sidecarTemp = null;
      try {
        String sha256;
        try (FileChannel bytes = FileChannel.open(dataTemp, StandardOpenOption.READ)) {
          if (durable) {
            force(bytes);
          }
          sha256 = sha256(bytes);
        }
        sidecarTemp = writeTemp(sidecarOf(to), serialize(metadata,
            Map.of(OBJECT_SHA256, sha256, OBJECT_WRITE, UUID.randomUUID().toString())), durable);
        Path pendingTemp = sidecarTemp;
        withLock(target, () -> {
          if (Files.isDirectory(to)) {
            throw new IOException(to + " is a folder of other objects");
          }
          Path pending = pendingSidecarOf(to);
          Files.move(pendingTemp, pending, StandardCopyOption.ATOMIC_MOVE);
          // Over a name of the same file (the target already holds these bytes) this changes nothing
          // and the temporary name stays, removed below.
          Files.move(dataTemp, to, StandardCopyOption.ATOMIC_MOVE);
          Files.move(pending, sidecarOf(to), StandardCopyOption.ATOMIC_MOVE);
          return null;
        });
        sidecarTemp = null;
        if (durable) {
          fsyncDirectory(to.getParent());
        }
      } finally {
        Files.deleteIfExists(dataTemp);
        if (sidecarTemp != null) {
          Files.deleteIfExists(sidecarTemp);
        }
      }
    } catch (IOException e) {
      throw new StorageException("Cannot copy " + source + " over " + target, e);
    }
  }

  /**
   * A temporary name beside {@code to} for the source's bytes: a hard link to its file, or a copy
   * where links are not possible (another filesystem); tries again when a concurrent delete removed
   * the folder that had just become empty.
   *
   * @throws MissingObjectException when the source went away
   */
  private Path linkOrCopyBeside(BlobPath source, Path from, Path to, boolean durable) throws IOException {
    for (int attempt = 1; ; attempt++) {
      createDirectories(to.getParent(), durable);
      Path temp = tempBeside(to);
      try {
        Files.createLink(temp, from);
        return temp;
      } catch (UnsupportedOperationException | IOException e) {
        if (!Files.isRegularFile(from)) {
          throw new MissingObjectException("Cannot copy " + source + ": no such object", e);
        }
        if (!Files.isDirectory(to.getParent())) {
          if (attempt == DIRECTORY_RACE_RETRIES) {
            throw e;
          }
          continue;
        }
        return writeTemp(to, Files.readAllBytes(from), false);
      }
    }
  }

  @Override
  public Optional<Blob> get(BlobPath path) {
    return readSettled(path, this::readOnce);
  }

  /** One try of {@link #get}; null when a replace or delete finished meanwhile. */
  private Optional<Blob> readOnce(BlobPath path, Path file) throws IOException {
    byte[] sidecarBefore = readIfExists(sidecarOf(file));
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      // Absent, or a folder of other objects, or below a file: no object either way.
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      throw e;
    }
    BlobMetadata metadata = settledMetadata(path, file, sidecarBefore, () -> Sha256.hex(content));
    return metadata == null ? null : Optional.of(new Blob(content, metadata));
  }

  /**
   * Opens the file itself: its bytes are read as the caller consumes them, and an object deleted
   * or replaced after it was opened stays readable, with the metadata of those bytes, until it is
   * closed.
   */
  @Override
  public Optional<BlobStream> openStream(BlobPath path) {
    return readSettled(path, this::openOnce);
  }

  /** One try of {@link #openStream}; null when a replace or delete finished meanwhile. */
  private Optional<BlobStream> openOnce(BlobPath path, Path file) throws IOException {
    byte[] sidecarBefore = readIfExists(sidecarOf(file));
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      throw e;
    }
    try {
      BlobMetadata metadata = settledMetadata(path, file, sidecarBefore, () -> sha256(channel));
      if (metadata == null) {
        channel.close();
        return null;
      }
      return Optional.of(new BlobStream(Channels.newInputStream(channel), channel.size(), metadata));
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Runs {@code once} until it sees the object settled (no replace finished while it read); after a
   * few tries, once more holding the path's lock, which every replace holds throughout.
   *
   * @throws StorageException when the object cannot be read
   */
  private <T> Optional<T> readSettled(BlobPath path, ReadAttempt<T> once) {
    Path file = resolve(path);
    LockedAction<Optional<T>> read = () -> once.read(path, file);
    try {
      for (int attempt = 1; attempt <= OPTIMISTIC_READS; attempt++) {
        Optional<T> result = read.run();
        if (result != null) {
          return result;
        }
      }
      Optional<T> result = withLock(path, read);
      if (result == null) {
        throw new IOException("The metadata of " + path + " changed while the path's lock was held");
      }
      return result;
    } catch (IOException e) {
      throw new StorageException("Cannot read " + path, e);
    }
  }

  /** One try of a read; null when a replace or delete finished meanwhile. */
  private interface ReadAttempt<T> {
    Optional<T> read(BlobPath path, Path file) throws IOException;
  }

  /**
   * The metadata of the bytes a reader took between reading {@code sidecarBefore} and calling this,
   * or null when the sidecar changed meanwhile (a replace or a delete finished: read again). A
   * pending sidecar is a replace under way, or one cut short by a crash: it describes the bytes
   * taken when its SHA-256 is theirs; otherwise they are the older object's, described by the
   * sidecar.
   */
  private static BlobMetadata settledMetadata(BlobPath path, Path file, byte[] sidecarBefore, BytesDigest taken)
      throws IOException {
    byte[] pending = readIfExists(pendingSidecarOf(file));
    byte[] sidecar = readIfExists(sidecarOf(file));
    if (!Arrays.equals(sidecarBefore, sidecar)) {
      return null;
    }
    if (pending != null) {
      Properties next = parse(pending);
      if (taken.sha256().equals(next.getProperty(OBJECT_SHA256))) {
        return metadataOf(next);
      }
    }
    if (sidecar == null) {
      // Only a file copied in by hand has no sidecar: serve it as untyped bytes.
      log.warn("Object {} has no metadata sidecar", path);
      return new BlobMetadata(UNKNOWN_CONTENT_TYPE, null, Map.of());
    }
    return metadataOf(parse(sidecar));
  }

  /** The SHA-256 of the bytes a reader took; computed only to match a pending sidecar. */
  private interface BytesDigest {
    String sha256() throws IOException;
  }

  @Override
  public boolean delete(BlobPath path) {
    Path file = resolve(path);
    try {
      boolean existed = withLock(path, () -> {
        if (!Files.isDirectory(file.getParent())) {
          return false;
        }
        boolean deleted = !Files.isDirectory(file) && Files.deleteIfExists(file);
        Files.deleteIfExists(sidecarOf(file));
        Files.deleteIfExists(pendingSidecarOf(file));
        return deleted;
      });
      if (existed) {
        removeEmptyParents(file.getParent());
      }
      return existed;
    } catch (IOException e) {
      throw new StorageException("Cannot delete " + path, e);
    }
  }

  @Override
  public List<BlobListing> list(BlobPath folder) {
    Path directory = resolve(folder);
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    List<BlobListing> listing = new ArrayList<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        // Sidecars, temporary files and lock files all carry the internal marker.
        if (file.getFileName().toString().contains(INTERNAL_MARKER)) {
          continue;
        }
        BasicFileAttributes attributes = readAttributes(file);
        if (attributes != null && attributes.isRegularFile()) {
          listing.add(new BlobListing(new BlobPath(root.relativize(file).toString().replace('\\', '/')),
              attributes.size(), attributes.lastModifiedTime().toInstant()));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new StorageException("Cannot list " + folder, e);
    }
    listing.sort(Comparator.comparing(entry -> entry.path().value()));
    return listing;
  }

  /** The file's attributes, or null when a concurrent delete removed it. */
  private static BasicFileAttributes readAttributes(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public URI uri(BlobPath path) {
    return resolve(path).toUri();
  }

  /**
   * Writes the bytes and the sidecar to temporary files (fsynced when {@code durable}), then, holding
   * the path's lock, publishes the sidecar and links the bytes unless the object exists; the
   * directory is fsynced after the lock is released.
   */
  private PutOutcome publishIfAbsent(BlobPath path, Path target, byte[] content, BlobMetadata metadata,
      boolean durable) throws IOException {
    if (Files.isDirectory(target)) {
      throw new IOException(target + " is a folder of other objects");
    }
    Path directory = target.getParent();
    if (Files.exists(target)) {
      return alreadyExists(target, durable);
    }
    Path sidecar = sidecarOf(target);
    Path dataTemp = writeTempFileCreatingDirectories(target, content, durable);
    Path sidecarTemp = null;
    try {
      sidecarTemp = writeTemp(sidecar, serialize(metadata), durable);
      Path publishedSidecar = sidecarTemp;
      boolean created = withLock(path, () -> {
        if (Files.isDirectory(target)) {
          throw new IOException(target + " is a folder of other objects");
        }
        if (Files.exists(target)) {
          return false;
        }
        // The sidecar is published first so a visible object always has its metadata; an orphan
        // sidecar left by a crash before the link below is overwritten by the next writer, and so
        // is a pending one left by a replace cut short.
        Files.deleteIfExists(pendingSidecarOf(target));
        Files.move(publishedSidecar, sidecar, StandardCopyOption.ATOMIC_MOVE);
        return link(dataTemp, target);
      });
      if (!created) {
        return alreadyExists(target, durable);
      }
      sidecarTemp = null;
      if (durable) {
        fsyncDirectory(directory);
      }
      return PutOutcome.CREATED;
    } finally {
      Files.deleteIfExists(dataTemp);
      if (sidecarTemp != null) {
        Files.deleteIfExists(sidecarTemp);
      }
    }
  }

  /**
   * {@link PutOutcome#ALREADY_EXISTS}; for a durable write the existing object is made durable first,
   * since it may have been written by a writer that does not need it to be (cheap when it already is).
   */
  private PutOutcome alreadyExists(Path target, boolean durable) throws IOException {
    if (durable) {
      fsyncFile(target);
      fsyncFile(sidecarOf(target));
      fsyncDirectory(target.getParent());
    }
    return PutOutcome.ALREADY_EXISTS;
  }

  /** Publishes {@code temp} at {@code target} unless {@code target} exists; {@code false} if it did. */
  private static boolean link(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      // No hard links on this filesystem: rename would replace an existing file, but every writer
      // of this path holds the same lock, so the existence check cannot race with another put.
      if (Files.exists(target)) {
        return false;
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    }
  }

  /**
   * Creates the target directories and the first temporary file; retries when a concurrent delete
   * removed a directory that had just become empty.
   */
  private Path writeTempFileCreatingDirectories(Path target, byte[] content, boolean durable) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        createDirectories(target.getParent(), durable);
        return writeTemp(target, content, durable);
      } catch (NoSuchFileException e) {
        if (attempt == DIRECTORY_RACE_RETRIES) {
          throw e;
        }
      }
    }
  }

  private Path writeTemp(Path beside, byte[] content, boolean durable) throws IOException {
    Path temp = tempBeside(beside);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (durable) {
        force(channel);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return temp;
  }

  /** A new temporary name in the folder of {@code file}, starting with its name. */
  private static Path tempBeside(Path file) {
    String unique = UUID.randomUUID().toString().replace("-", "");
    return file.resolveSibling(file.getFileName() + INTERNAL_MARKER + unique + TEMP_SUFFIX);
  }

  /**
   * Creates missing directories; when {@code durable}, fsyncs the parent of each one so their entries
   * survive a crash of the machine.
   */
  private void createDirectories(Path directory, boolean durable) throws IOException {
    List<Path> missing = new ArrayList<>();
    for (Path dir = directory; !dir.equals(root) && !Files.isDirectory(dir); dir = dir.getParent()) {
      missing.add(dir);
    }
    if (!missing.isEmpty()) {
      Files.createDirectories(directory);
    }
    // A symlink planted inside the root must not lead a write outside it.
    if (!directory.toRealPath().startsWith(root)) {
      throw new IOException("Directory " + directory + " resolves outside the store root");
    }
    if (durable) {
      for (Path dir : missing) {
        fsyncDirectory(dir.getParent());
      }
    }
  }

  private void removeEmptyParents(Path directory) {
    for (Path dir = directory; !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      } catch (IOException e) {
        log.debug("Could not remove empty directory {}", dir, e);
        return;
      }
    }
  }

  private void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      force(channel);
    }
  }

  /** fsyncs {@code file} if it exists (an object without a sidecar has nothing to sync there). */
  private void fsyncFile(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      force(channel);
    } catch (NoSuchFileException e) {
      // Deleted meanwhile, or a file copied in by hand without a sidecar.
    }
  }

  private void force(FileChannel channel) throws IOException {
    channel.force(true);
    syncs.increment();
  }

  private interface LockedAction<T> {
    T run() throws IOException;
  }

  /** Runs {@code action} holding the lock of the path's stripe, in this JVM and across processes. */
  private <T> T withLock(BlobPath path, LockedAction<T> action) throws IOException {
    int stripe = Math.floorMod(path.value().hashCode(), LOCK_STRIPES);
    Path lockFile = lockDirectory.resolve(Integer.toString(stripe));
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, key -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      return action.run();
    } finally {
      jvmLock.unlock();
    }
  }

  private Path resolve(BlobPath path) {
    Path resolved = root.resolve(path.value()).normalize();
    // BlobPath already rejects '..', absolute paths and separators; this guards against a regression there.
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw new IllegalArgumentException("Path escapes the store root: " + path);
    }
    return resolved;
  }

  private static Path sidecarOf(Path file) {
    return file.resolveSibling(file.getFileName() + SIDECAR_SUFFIX);
  }

  private static Path pendingSidecarOf(Path file) {
    return file.resolveSibling(file.getFileName() + PENDING_SIDECAR_SUFFIX);
  }

  /** The whole file, or null when there is none (nor a folder it could be in). */
  private static byte[] readIfExists(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      if (!Files.isRegularFile(file)) {
        return null;
      }
      throw e;
    }
  }

  /** SHA-256 of the channel's file from its start, read without moving the channel's position. */
  private static String sha256(FileChannel channel) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    long position = 0;
    for (int read = channel.read(buffer, position); read > 0; read = channel.read(buffer, position)) {
      position += read;
      buffer.flip();
      digest.update(buffer);
      buffer.clear();
    }
    return Sha256.hex(digest);
  }

  private static byte[] serialize(BlobMetadata metadata) throws IOException {
    return serialize(metadata, Map.of());
  }

  /** The sidecar of {@code metadata}, with {@code internal} keys of the store beside its own. */
  private static byte[] serialize(BlobMetadata metadata, Map<String, String> internal) throws IOException {
    Properties properties = new Properties();
    internal.forEach(properties::setProperty);
    if (metadata.contentType() != null) {
      properties.setProperty(CONTENT_TYPE, metadata.contentType());
    }
    if (metadata.cacheControl() != null) {
      properties.setProperty(CACHE_CONTROL, metadata.cacheControl());
    }
    metadata.custom().forEach((key, value) -> properties.setProperty(CUSTOM_PREFIX + key, value));
    StringWriter text = new StringWriter();
    properties.store(text, null);
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Properties parse(byte[] sidecar) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(new String(sidecar, StandardCharsets.UTF_8)));
    return properties;
  }

  private static BlobMetadata metadataOf(Properties properties) {
    Map<String, String> custom = new HashMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith(CUSTOM_PREFIX)) {
        custom.put(key.substring(CUSTOM_PREFIX.length()), properties.getProperty(key));
      }
    }
    return new BlobMetadata(properties.getProperty(CONTENT_TYPE), properties.getProperty(CACHE_CONTROL), custom);
  }
}
