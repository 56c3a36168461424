package dev.imagejobs.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.ArrayList;
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
  static final String LOCK_DIRECTORY = INTERNAL_MARKER + "locks";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final int LOCK_STRIPES = 64;
  private static final int DIRECTORY_RACE_RETRIES = 3;

  private static final String CONTENT_TYPE = "contentType";
  private static final String CACHE_CONTROL = "cacheControl";
  private static final String CUSTOM_PREFIX = "custom.";
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
        throw new StorageException("Cannot copy " + source + ": no such object", null);
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

  @Override
  public Optional<Blob> get(BlobPath path) {
    Path file = resolve(path);
    try {
      byte[] content = Files.readAllBytes(file);
      return Optional.of(new Blob(content, readSidecar(sidecarOf(file), path)));
    } catch (IOException e) {
      // Absent, or a folder of other objects, or below a file: no object either way.
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      throw new StorageException("Cannot read " + path, e);
    }
  }

  /**
   * Opens the file itself: its bytes are read as the caller consumes them, and an object deleted
   * after it was opened stays readable until it is closed.
   */
  @Override
  public Optional<BlobStream> openStream(BlobPath path) {
    Path file = resolve(path);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      throw new StorageException("Cannot read " + path, e);
    }
    try {
      return Optional.of(new BlobStream(Channels.newInputStream(channel), channel.size(),
          readSidecar(sidecarOf(file), path)));
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e instanceof StorageException known ? known : new StorageException("Cannot read " + path, e);
    }
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
        // sidecar left by a crash before the link below is overwritten by the next writer.
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
    String unique = UUID.randomUUID().toString().replace("-", "");
    Path temp = beside.resolveSibling(beside.getFileName() + INTERNAL_MARKER + unique + TEMP_SUFFIX);
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

  private static byte[] serialize(BlobMetadata metadata) throws IOException {
    Properties properties = new Properties();
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

  private static BlobMetadata readSidecar(Path sidecar, BlobPath path) throws IOException {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(sidecar)) {
      properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      // Only a file copied in by hand has no sidecar: serve it as untyped bytes.
      log.warn("Object {} has no metadata sidecar", path);
      return new BlobMetadata(UNKNOWN_CONTENT_TYPE, null, Map.of());
    }
    Map<String, String> custom = new HashMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith(CUSTOM_PREFIX)) {
        custom.put(key.substring(CUSTOM_PREFIX.length()), properties.getProperty(key));
      }
    }
    return new BlobMetadata(properties.getProperty(CONTENT_TYPE), properties.getProperty(CACHE_CONTROL), custom);
  }
}
