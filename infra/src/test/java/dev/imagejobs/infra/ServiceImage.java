package dev.imagejobs.infra;

import dev.imagejobs.infra.ServiceProcess.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service's container image as the build writes it ({@code target/jib-image.tar}, Docker image
 * format), unpacked into a root directory and run the way a container runtime runs it: its
 * entrypoint and environment, as its user, with nothing of the host's filesystem but {@code /proc},
 * {@code /dev} and the volume mounted in. Without a container engine here, the process gets a
 * mount namespace of its own ({@code unshare}) and the image's root ({@code chroot}), which needs root.
 *
 * @param root the image's filesystem, every layer unpacked in order
 * @param config the image configuration's {@code config} object (User, Entrypoint, Env, ExposedPorts, Labels)
 */
record ServiceImage(Path root, JsonNode config) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The image the build made for {@code service} in the repository at {@code repository}. */
  static Path tarball(Path repository, Service service) {
    return repository.resolve(service.artifactId()).resolve("target").resolve("jib-image.tar");
  }

  /** Unpacks the image tarball's layers into {@code directory}/root. */
  static ServiceImage unpack(Path tarball, Path directory) throws IOException {
    Path archive = Files.createDirectories(directory.resolve("archive"));
    Path root = Files.createDirectories(directory.resolve("root"));
    tar(archive, tarball);
    JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
    for (JsonNode layer : manifest.path("Layers")) {
      tar(root, archive.resolve(layer.asString()));
    }
    JsonNode config = JSON.readTree(archive.resolve(manifest.path("Config").asString()).toFile()).path("config");
    // Mount points a container runtime provides.
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("dev"));
    return new ServiceImage(root, config);
  }

  String user() {
    return config.path("User").asString();
  }

  List<String> entrypoint() {
    return strings(config.path("Entrypoint"));
  }

  /** The image's environment, {@code NAME=value} each. */
  List<String> environment() {
    return strings(config.path("Env"));
  }

  Set<String> exposedPorts() {
    return new TreeSet<>(config.path("ExposedPorts").propertyNames());
  }

  Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    config.path("Labels").properties().forEach(label -> labels.put(label.getKey(), label.getValue().asString()));
    return labels;
  }

  /** Whether the image holds {@code path} (absolute inside the image). */
  boolean contains(String path) {
    return Files.exists(root.resolve(path.substring(1)));
  }

  /**
   * The command that runs the entrypoint in the image as its user, with {@code volume} (a host
   * directory) mounted at the same path inside, and {@code marker} added to the JVM's options.
   */
  List<String> command(Path volume, String marker) {
    String script = String.join("\n",
        "set -e",
        "root=$1 volume=$2 user=$3 chroot=$4; shift 4",
        "mount -t proc proc \"$root/proc\"",
        "mount --rbind /dev \"$root/dev\"",
        "mkdir -p \"$root$volume\"",
        "mount --bind \"$volume\" \"$root$volume\"",
        "while [ \"$1\" != -- ]; do export \"$1\"; shift; done; shift",
        "exec \"$chroot\" --userspec=\"$user\" \"$root\" \"$@\"");
    List<String> command = new ArrayList<>(List.of(hostTool("unshare"), "--mount", "--propagation", "private", "--",
        hostTool("sh"), "-c", script, "sh", root.toString(), volume.toString(), user(), hostTool("chroot")));
    command.addAll(environment());
    command.add("--");
    List<String> entrypoint = entrypoint();
    command.add(entrypoint.get(0));
    command.add(marker);
    command.addAll(entrypoint.subList(1, entrypoint.size()));
    return command;
  }

  /**
   * Whether this process may create mount namespaces and change root, as running an image here
   * needs: root, the tools, and a mount namespace with a fresh /proc that the system allows (a
   * container without the capability does not).
   */
  static boolean canRun() {
    try {
      return System.getProperty("os.name").equals("Linux")
          && ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0
          && Stream.of("unshare", "chroot", "mount").allMatch(tool -> !hostTool(tool).equals(tool))
          && succeeds(hostTool("unshare"), "--mount", "--propagation", "private", "--", hostTool("mount"), "-t",
              "proc", "proc", "/proc");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean succeeds(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      process.destroyForcibly();
    }
  }

  private static String hostTool(String name) {
    return Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")
        .map(directory -> Path.of(directory, name))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst()
        .orElse(name);
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asString()));
    return values;
  }

  private static void tar(Path directory, Path archive) throws IOException {
    Process tar = new ProcessBuilder("tar", "--warning=no-unknown-keyword", "-xf", archive.toString(), "-C", directory.toString())
        .redirectErrorStream(true).start();
    try {
      String output = new String(tar.getInputStream().readAllBytes());
      if (!tar.waitFor(2, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        throw new UncheckedIOException(new IOException("tar -xf " + archive + " failed: " + output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted unpacking " + archive, e);
    }
  }
}
