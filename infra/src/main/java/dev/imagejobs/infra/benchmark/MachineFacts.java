package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The machine every figure was measured on.
 *
 * @param cores processors available to the JVM
 * @param memoryBytes total memory ({@code MemTotal} of {@code /proc/meminfo}), 0 when unknown
 * @param cpuModel {@code model name} of {@code /proc/cpuinfo}
 * @param kernel the kernel release
 * @param openFilesLimit the benchmark's soft limit of open files (each event stream holds one)
 */
record MachineFacts(int cores, long memoryBytes, String cpuModel, String kernel, long openFilesLimit) {

  static MachineFacts read() {
    return new MachineFacts(
        Runtime.getRuntime().availableProcessors(),
        readFile("/proc/meminfo").map(MachineFacts::memTotalBytes).orElse(0L),
        readFile("/proc/cpuinfo").flatMap(MachineFacts::cpuModel).orElse(System.getProperty("os.arch")),
        readFile("/proc/sys/kernel/osrelease").map(String::strip).orElse(System.getProperty("os.version")),
        readFile("/proc/self/limits").map(ProcStatus::openFilesLimit).orElse(OptionalLong.empty()).orElse(-1));
  }

  /** The first {@code model name} of a {@code /proc/cpuinfo}. */
  static Optional<String> cpuModel(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("model name")) {
        int colon = line.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(line.substring(colon + 1).strip());
      }
    }
    return Optional.empty();
  }

  /** {@code MemTotal} of a {@code /proc/meminfo}, in bytes. */
  static long memTotalBytes(String meminfo) {
    for (String line : meminfo.split("\n")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.substring("MemTotal:".length()).trim().split("\\s+")[0]) * 1024;
      }
    }
    return 0;
  }

  Map<String, String> describe() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("cores", Integer.toString(cores));
    facts.put("memory", memoryBytes == 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB",
        memoryBytes / (1024.0 * 1024 * 1024)));
    facts.put("CPU", cpuModel);
    facts.put("kernel", kernel);
    facts.put("open files limit", openFilesLimit == Long.MAX_VALUE ? "unlimited" : Long.toString(openFilesLimit));
    facts.put("benchmark JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    return facts;
  }

  private static Optional<String> readFile(String path) {
    try {
      return Optional.of(Files.readString(Path.of(path)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
