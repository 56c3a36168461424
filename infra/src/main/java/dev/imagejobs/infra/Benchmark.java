package dev.imagejobs.infra;

import dev.imagejobs.infra.benchmark.BenchmarkOptions;
import dev.imagejobs.infra.benchmark.BenchmarkRunner;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Entry point of {@code ./benchmark}: measures Image Jobs on this machine, each scenario on a fresh
 * local stack, and prints every figure with the settings it was measured with
 * ({@link BenchmarkOptions#USAGE} lists the options and scenarios; docs/benchmarks.md explains them).
 * Exit codes: 0 every scenario ran, 1 some failed, 2 usage error.
 */
public final class Benchmark {

  private Benchmark() {}

  public static void main(String[] args) {
    // The table is this program's output, so it goes to standard output.
    PrintWriter out = new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
    BenchmarkOptions options;
    try {
      options = BenchmarkOptions.parse(List.of(args), Instant.now());
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println(BenchmarkOptions.USAGE);
      out.flush();
      System.exit(2);
      return;
    }
    if (options.help()) {
      out.println(BenchmarkOptions.USAGE);
      out.flush();
      System.exit(0);
      return;
    }
    int code = new BenchmarkRunner(options, LocalStack.defaultHome(), System.getenv(), out).run();
    out.flush();
    // Reactor Netty's event loops and Kafka's clients must not keep a finished run alive.
    System.exit(code);
  }
}
