package dev.imagejobs.infra;

import java.nio.file.Path;

/**
 * Where each part of the stack keeps its state inside the one state directory, so deleting that
 * directory resets everything and keeping it keeps jobs, events and images across restarts.
 *
 * @param root the state directory
 */
record StateDirectory(Path root) {

  StateDirectory {
    root = root.toAbsolutePath().normalize();
  }

  /** Kafka's server.properties and, under {@code data/}, its log directory. */
  Path kafka() {
    return root.resolve("kafka");
  }

  /** The PostgreSQL data directory. */
  Path postgres() {
    return root.resolve("postgres");
  }

  /** Root of the filesystem blob stores; each bucket is a directory below it. */
  Path storage() {
    return root.resolve("storage");
  }

  Path logs() {
    return root.resolve("logs");
  }

  Path log(String processName) {
    return logs().resolve(processName + ".log");
  }

  /** Pid of a running child process, to stop it if a killed launcher left it behind. */
  Path pidFile(String processName) {
    return root.resolve("run").resolve(processName + ".pid");
  }

  Path lockFile() {
    return root.resolve("local-stack.lock");
  }

  /**
   * A JVM option put on every child's command line: a pid file is trusted only when the process
   * behind it carries this marker, so an unrelated process that reused the pid is never touched.
   */
  String marker() {
    return "-Dimagejobs.local-stack.state=" + root;
  }
}
