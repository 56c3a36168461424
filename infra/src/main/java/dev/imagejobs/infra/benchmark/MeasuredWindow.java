package dev.imagejobs.infra.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probes of a measured window on one stack: CPU time of every process (the broker,
 * PostgreSQL with all its backends, each service, the benchmark client itself) between
 * {@link #begin()} and {@link #end()}; each service's resident memory idle and sampled every second
 * under load; its heap after GC idle (after a full GC) and under load (from its GC log); the
 * methods its JIT compiler compiled during the window; and, when profiling, a JFR recording of
 * each service and PostgreSQL's wait events.
 */
final class MeasuredWindow implements AutoCloseable {

  /**
   * CPU a process used during the window.
   *
   * @param process its name
   * @param seconds CPU seconds used
   * @param percentOfCore share of one core over the window
   * @param percentOfMachine share of all the machine's cores
   */
  record CpuShare(String process, double seconds, double percentOfCore, double percentOfMachine) {}

  /**
   * Heap in use after collections, MiB; NaN where the log had no collection.
   *
   * @param idle after a full GC before the load
   * @param loadMax largest value during the window
   * @param loadLast last value during the window
   */
  record Heap(double idle, double loadMax, double loadLast) {}

  /**
   * What the probes measured.
   *
   * @param seconds length of the window
   * @param cpu CPU per process, in the stack's start order, the client last
   * @param rssIdleMiB resident memory per service before the load
   * @param rssMaxMiB largest resident memory per service during the window
   * @param heap heap after GC per service
   * @param profileSummary the profile summary file, or null when not profiling
   * @param postgresWaits busy backends per state and wait event over every 100 ms sample (profiling only)
   * @param jit what each service's JIT compiler did during the window (empty without jcmd)
   */
  record Report(double seconds, List<CpuShare> cpu, Map<String, Double> rssIdleMiB, Map<String, Double> rssMaxMiB,
      Map<String, Heap> heap, Path profileSummary, Map<String, Long> postgresWaits, Map<String, JitCounters> jit) {

    List<Figure> figures() {
      List<Figure> figures = new ArrayList<>();
      Map<String, Object> core = new LinkedHashMap<>();
      Map<String, Object> machine = new LinkedHashMap<>();
      cpu.forEach(share -> {
        core.put(share.process(), share.percentOfCore());
        machine.put(share.process(), share.percentOfMachine());
      });
      figures.add(new Figure("CPU, share of one core", "%", core,
          "/proc/<pid>/stat utime+stime over the window; postgres = postmaster and all its backends"));
      figures.add(new Figure("CPU, share of the machine", "%", machine, "the same over every core"));
      for (String service : rssIdleMiB.keySet()) {
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("RSS idle", rssIdleMiB.get(service));
        memory.put("RSS load max", rssMaxMiB.getOrDefault(service, Double.NaN));
        Heap after = heap.get(service);
        if (after != null) {
          memory.put("heap after GC idle", after.idle());
          memory.put("heap after GC load max", after.loadMax());
          memory.put("heap after GC load last", after.loadLast());
        }
        figures.add(new Figure("memory, " + service, "MiB", memory,
            "RSS from /proc/<pid>/status each second; heap from the GC log, idle after a full GC (jcmd GC.run)"));
      }
      if (!jit.isEmpty()) {
        Map<String, Object> compiles = new LinkedHashMap<>();
        Map<String, Object> compiling = new LinkedHashMap<>();
        jit.forEach((service, counters) -> {
          compiles.put(service, counters.compiles());
          compiling.put(service, counters.seconds());
        });
        figures.add(new Figure("JIT compilations in the window", "", compiles,
            "methods compiled (jcmd PerfCounter.print sun.ci.totalCompiles at the window's ends): a warm service"
                + " compiles few; many mean the warm-up was too short and the window measured the compiler too"));
        figures.add(new Figure("JIT compile time in the window", "s", compiling,
            "java.ci.totalTime at the window's ends: wall time of the compilations, waits for a core included"));
      }
      if (!postgresWaits.isEmpty()) {
        Map<String, Long> top = new LinkedHashMap<>();
        postgresWaits.entrySet().stream().limit(8).forEach(entry -> top.put(entry.getKey(), entry.getValue()));
        figures.add(Figure.counts("PostgreSQL busy backends by state / wait event", top,
            "pg_stat_activity every 100 ms; CPU = waiting for nothing"));
      }
      return figures;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(MeasuredWindow.class);
  private static final String SERVICE_SUFFIX = "-service";
  private static final String CLIENT = "benchmark client";
  private static final String RECORDING = "benchmark";
  private static final Duration IDLE_GC_WAIT = Duration.ofSeconds(10);
  private static final int TOP_METHODS = 30;

  private final BenchmarkStack stack;
  private final String scenario;
  private final Path out;
  private final boolean profile;
  private final ProcessGroupCpu cpu;
  private final int cores;
  private final Jcmd jcmd;
  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Double> rssIdle = new LinkedHashMap<>();
  private final Map<String, Double> rssMax = new ConcurrentHashMap<>();
  private final Map<String, Double> heapIdle = new LinkedHashMap<>();
  private final Map<String, Long> gcPositions = new LinkedHashMap<>();
  private final Map<String, Double> cpuAtStart = new LinkedHashMap<>();
  /** The JIT counters at the window's start, read beside the load so the window opens on time. */
  private CompletableFuture<Map<String, JitCounters>> jitAtStart = CompletableFuture.completedFuture(Map.of());
  private final List<String> recording = new ArrayList<>();
  private ScheduledExecutorService sampler;
  private PgActivitySampler postgres;
  private long beganNanos;
  private Instant beganAt;
  private Instant endedAt;
  private boolean recordingsStarted;

  /**
   * @param scenario names the profile files
   * @param out the results directory, for profiles
   */
  MeasuredWindow(BenchmarkStack stack, String scenario, Path out, boolean profile, ProcessGroupCpu cpu, int cores,
      Jcmd jcmd) {
    this.stack = stack;
    this.scenario = scenario;
    this.out = out;
    this.profile = profile;
    this.cpu = cpu;
    this.cores = cores;
    this.jcmd = jcmd;
    pids.putAll(stack.processIds());
    pids.put(CLIENT, ProcessHandle.current().pid());
  }

  /**
   * Idle figures before the load: a full GC in each service, then its heap after GC and its RSS.
   * When profiling, the recordings start here, before the load: starting them takes seconds, which
   * must not come out of the window; the summary keeps only the samples taken inside the window.
   */
  void measureIdle() {
    for (String service : services()) {
      long pid = pids.get(service);
      GcLog log = stack.gcLog(service);
      long position = log.position();
      if (jcmd.isAvailable()) {
        try {
          jcmd.run(pid, "GC.run");
        } catch (IllegalStateException e) {
          LOG.warn("Full GC of {} before the idle measurement failed: {}", service, e.getMessage());
        }
      }
      heapIdle.put(service, awaitHeapAfter(log, position));
      rssIdle.put(service, mebibytes(ProcStatus.residentBytes(pid).orElse(-1)));
    }
    if (profile) {
      startRecordings();
    }
  }

  /** Opens the window: CPU counters, memory sampling, GC log positions and, when profiling, JFR and PostgreSQL. */
  void begin() {
    if (profile) {
      if (!recordingsStarted) {
        startRecordings();
      }
      startPostgresSampler();
    }
    sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "memory-sampler");
      thread.setDaemon(true);
      return thread;
    });
    for (String service : services()) {
      gcPositions.put(service, stack.gcLog(service).position());
    }
    sampler.scheduleAtFixedRate(this::sampleMemory, 0, 1, TimeUnit.SECONDS);
    jitAtStart = CompletableFuture.supplyAsync(() -> {
      Map<String, JitCounters> counters = new LinkedHashMap<>();
      for (String service : services()) {
        jitCounters(service).ifPresent(value -> counters.put(service, value));
      }
      return counters;
    });
    beganNanos = System.nanoTime();
    beganAt = Instant.now();
    pids.forEach((name, pid) -> cpuAtStart.put(name, cpuSeconds(name, pid)));
  }

  /** Closes the window and reports what the probes measured. */
  Report end() {
    double seconds = (System.nanoTime() - beganNanos) / 1e9;
    endedAt = Instant.now();
    List<CpuShare> shares = new ArrayList<>();
    pids.forEach((name, pid) -> {
      double used = cpuSeconds(name, pid) - cpuAtStart.getOrDefault(name, Double.NaN);
      shares.add(new CpuShare(name, used, Numbers.percent(used, seconds), Numbers.percent(used, seconds * cores)));
    });
    sampler.shutdownNow();
    Map<String, JitCounters> jit = new LinkedHashMap<>();
    jitAtStart.join().forEach((service, start) ->
        jitCounters(service).ifPresent(end -> jit.put(service, end.since(start))));
    sampleMemory();
    Map<String, Heap> heap = new LinkedHashMap<>();
    for (String service : services()) {
      List<Long> values = stack.gcLog(service).heapAfterSince(gcPositions.getOrDefault(service, 0L));
      heap.put(service, new Heap(heapIdle.getOrDefault(service, Double.NaN),
          values.stream().mapToLong(Long::longValue).max().stream().mapToDouble(MeasuredWindow::mebibytes)
              .findFirst().orElse(Double.NaN),
          values.isEmpty() ? Double.NaN : mebibytes(values.get(values.size() - 1))));
    }
    Path summary = null;
    Map<String, Long> waits = Map.of();
    if (profile) {
      // The sampler stops first: stopping the recordings takes a while and is not part of the window.
      closePostgresSampler();
      waits = postgres == null ? Map.of() : postgres.histogram();
      summary = stopProfiling();
    }
    Map<String, Double> idle = new LinkedHashMap<>(rssIdle);
    for (String service : services()) {
      idle.putIfAbsent(service, Double.NaN);
    }
    return new Report(seconds, shares, idle, new LinkedHashMap<>(rssMax), heap, summary, waits, jit);
  }

  /** The service's JIT counters now, or empty when they cannot be read. */
  private Optional<JitCounters> jitCounters(String service) {
    if (!jcmd.isAvailable()) {
      return Optional.empty();
    }
    try {
      return JitCounters.parse(jcmd.run(pids.get(service), "PerfCounter.print"));
    } catch (IllegalStateException e) {
      LOG.warn("JIT counters of {} not read: {}", service, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
    if (!recording.isEmpty()) {
      stopRecordings();
    }
    closePostgresSampler();
  }

  /** PostgreSQL is a postmaster and its backends; every other part is one process. */
  private double cpuSeconds(String name, long pid) {
    return name.equals(BenchmarkStack.POSTGRES) ? cpu.groupSeconds(pid) : cpu.processSeconds(pid);
  }

  private List<String> services() {
    return pids.keySet().stream().filter(name -> name.endsWith(SERVICE_SUFFIX)).toList();
  }

  private void sampleMemory() {
    for (String service : services()) {
      ProcStatus.residentBytes(pids.get(service))
          .ifPresent(bytes -> rssMax.merge(service, mebibytes(bytes), Math::max));
    }
  }

  private double awaitHeapAfter(GcLog log, long position) {
    long deadline = System.nanoTime() + IDLE_GC_WAIT.toNanos();
    List<Long> values = log.heapAfterSince(position);
    while (values.isEmpty() && System.nanoTime() < deadline) {
      Waits.sleep(Duration.ofMillis(100));
      values = log.heapAfterSince(position);
    }
    if (values.isEmpty()) {
      // No collection logged since: the last one before is the best idle figure there is.
      values = log.heapAfterSince(0);
    }
    return values.isEmpty() ? Double.NaN : mebibytes(values.get(values.size() - 1));
  }

  private void startRecordings() {
    recordingsStarted = true;
    if (!jcmd.isAvailable()) {
      LOG.warn("No jcmd next to {}: no JFR profiles", System.getProperty("java.home"));
      return;
    }
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (String service : services()) {
      Path file = out.resolve(scenario + "-" + service + ".jfr").toAbsolutePath();
      starts.add(CompletableFuture.runAsync(() -> {
        try {
          jcmd.run(pids.get(service), "JFR.start", "name=" + RECORDING, "settings=profile", "filename=" + file);
          synchronized (recording) {
            recording.add(service);
          }
        } catch (IllegalStateException e) {
          LOG.warn("JFR of {} did not start: {}", service, e.getMessage());
        }
      }));
    }
    starts.forEach(CompletableFuture::join);
  }

  private void startPostgresSampler() {
    try {
      postgres = new PgActivitySampler(stack.jdbcUrl(), "imagejobs");
      postgres.start();
    } catch (SQLException e) {
      LOG.warn("Cannot sample pg_stat_activity: {}", e.getMessage());
    }
  }

  private List<String> stopRecordings() {
    List<String> stopped = new ArrayList<>();
    List<String> services;
    synchronized (recording) {
      services = List.copyOf(recording);
      recording.clear();
    }
    for (String service : services) {
      try {
        jcmd.run(pids.get(service), "JFR.stop", "name=" + RECORDING);
        stopped.add(service);
      } catch (IllegalStateException e) {
        LOG.warn("JFR of {} did not stop cleanly: {}", service, e.getMessage());
      }
    }
    return stopped;
  }

  private Path stopProfiling() {
    List<String> stopped = stopRecordings();
    StringBuilder text = new StringBuilder();
    text.append("Profile of scenario ").append(scenario).append(" over its measured window, ").append(beganAt)
        .append(" to ").append(endedAt).append(" (the .jfr files also hold the warm-up)\n\n");
    for (String service : stopped) {
      Path file = out.resolve(scenario + "-" + service + ".jfr");
      try {
        text.append(JfrSummary.of(file, TOP_METHODS, beganAt, endedAt).render(service + " (" + file.getFileName() + ")"))
            .append('\n');
      } catch (IOException e) {
        text.append(service).append(": cannot read ").append(file).append(": ").append(e.getMessage()).append("\n\n");
      }
    }
    if (postgres != null) {
      text.append("PostgreSQL busy backends of the imagejobs database by state / wait event (")
          .append(postgres.samples()).append(" samples, every 100 ms; CPU = waiting for nothing)\n");
      postgres.histogram().forEach((wait, count) -> text.append(String.format(Locale.ROOT,
          "  %8d  %5.1f per sample  %s%n", count, Numbers.ratio(count, postgres.samples()), wait)));
    }
    Path summary = out.resolve(scenario + "-profile-summary.txt");
    try {
      Files.createDirectories(out);
      Files.writeString(summary, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + summary, e);
    }
    LOG.info("Profile summary of {} in {}", scenario, summary);
    return summary;
  }

  private void closePostgresSampler() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static double mebibytes(long bytes) {
    return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024);
  }
}
