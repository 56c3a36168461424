package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Resident memory and the open-files limit of a process, from {@code /proc/<pid>/status} and {@code limits}. */
final class ProcStatus {

  private ProcStatus() {}

  /** Resident set size in bytes, from the {@code VmRSS:} line of a {@code status} file. */
  static OptionalLong residentBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
      }
    }
    return OptionalLong.empty();
  }

  static OptionalLong residentBytes(long pid) {
    try {
      return residentBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The soft limit of open files, from the {@code Max open files} line of a {@code limits} file. */
  static OptionalLong openFilesLimit(String limits) {
    for (String line : limits.split("\n")) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? OptionalLong.of(Long.MAX_VALUE) : OptionalLong.of(Long.parseLong(soft));
      }
    }
    return OptionalLong.empty();
  }

  static OptionalLong openFilesLimit(long pid) {
    try {
      return openFilesLimit(Files.readString(Path.of("/proc", Long.toString(pid), "limits")));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
