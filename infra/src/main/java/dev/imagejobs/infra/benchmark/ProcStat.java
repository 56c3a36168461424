package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CPU-time fields of {@code /proc/<pid>/stat}, in clock ticks.
 *
 * @param pid the process id
 * @param command the executable's name (the second field, without its parentheses)
 * @param utime user time of the process
 * @param stime system time of the process
 * @param cutime user time of its children that have exited and been waited for
 * @param cstime system time of the same children
 */
record ProcStat(long pid, String command, long utime, long stime, long cutime, long cstime) {

  /** Own CPU time plus that of exited children: what the process and everything it ran have used. */
  long totalTicks() {
    return utime + stime + cutime + cstime;
  }

  /** Own CPU time only. */
  long ownTicks() {
    return utime + stime;
  }

  /**
   * Parses one {@code stat} line. The command may hold spaces and parentheses, so fields are
   * counted from the last {@code ')'}.
   */
  static ProcStat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("Not a /proc/<pid>/stat line: " + line);
    }
    long pid = Long.parseLong(line.substring(0, open).trim());
    String[] fields = line.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
    if (fields.length < 15) {
      throw new IllegalArgumentException("Too few fields in /proc/<pid>/stat line: " + line);
    }
    return new ProcStat(pid, line.substring(open + 1, close), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
        Long.parseLong(fields[13]), Long.parseLong(fields[14]));
  }

  /** The process's current figures, or empty when it is gone. */
  static Optional<ProcStat> read(long pid) {
    try {
      return Optional.of(parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
