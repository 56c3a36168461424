package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's GC log ({@code -Xlog:gc:file=...}): the heap in use after each collection, read from
 * lines such as {@code GC(12) Pause Young (Normal) (G1 Evacuation Pause) 120M->40M(256M) 3.1ms}.
 * What stays after a collection is the live data plus what the collector chose to keep: the
 * closest a log gets to the memory a service needs.
 */
final class GcLog {

  private static final Pattern HEAP = Pattern.compile("GC\\(\\d+\\) .*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private final Path file;

  GcLog(Path file) {
    this.file = file;
  }

  /** Heap in use after the collection a line reports, in bytes; empty for lines without heap sizes. */
  static OptionalLong heapAfterBytes(String line) {
    Matcher matcher = HEAP.matcher(line);
    if (!matcher.find()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(matcher.group(3)) * unit(matcher.group(4)));
  }

  /** The log's current length: a position to read new lines from later. */
  long position() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Heap after each collection logged since {@code position}, in order. */
  List<Long> heapAfterSince(long position) {
    List<Long> values = new ArrayList<>();
    try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
      long length = log.length();
      if (length <= position) {
        return values;
      }
      byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - position)];
      log.seek(position);
      log.readFully(bytes);
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        heapAfterBytes(line).ifPresent(values::add);
      }
    } catch (IOException e) {
      // No log (yet): no values.
    }
    return values;
  }

  private static long unit(String unit) {
    return switch (unit) {
      case "K" -> 1024L;
      case "M" -> 1024L * 1024;
      default -> 1024L * 1024 * 1024;
    };
  }
}
