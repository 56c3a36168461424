package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.util.List;

/**
 * CPU time of processes from {@code /proc}. A process group (PostgreSQL: the postmaster and its
 * backends) counts the root's own time and its waited-for children's, plus the own time of each
 * living descendant; a descendant that exits between two readings moves its time into its parent's
 * children fields, so sums stay consistent. A single process (a JVM) counts its own time only: the
 * benchmark's own children are the stack's processes, measured apart.
 */
final class ProcessGroupCpu {

  private final long ticksPerSecond;

  ProcessGroupCpu(long ticksPerSecond) {
    this.ticksPerSecond = ticksPerSecond;
  }

  /** Seconds of CPU the process itself has used so far, or NaN when it is gone. */
  double processSeconds(long pid) {
    return ProcStat.read(pid).map(stat -> stat.ownTicks() / (double) ticksPerSecond).orElse(Double.NaN);
  }

  /** Seconds of CPU the process and everything below it have used so far, or NaN when the root is gone. */
  double groupSeconds(long rootPid) {
    return ProcStat.read(rootPid).map(root -> {
      long ticks = root.totalTicks();
      List<ProcessHandle> descendants = ProcessHandle.of(rootPid).map(handle -> handle.descendants().toList())
          .orElse(List.of());
      for (ProcessHandle descendant : descendants) {
        ticks += ProcStat.read(descendant.pid()).map(ProcStat::ownTicks).orElse(0L);
      }
      return ticks / (double) ticksPerSecond;
    }).orElse(Double.NaN);
  }

  /** Clock ticks per second of {@code /proc} times ({@code getconf CLK_TCK}; 100 on every common Linux). */
  static long ticksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String answer = new String(getconf.getInputStream().readAllBytes()).trim();
      if (getconf.waitFor() == 0) {
        return Long.parseLong(answer);
      }
    } catch (IOException | NumberFormatException e) {
      // The usual value below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
