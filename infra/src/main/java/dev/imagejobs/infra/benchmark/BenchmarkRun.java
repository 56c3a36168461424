package dev.imagejobs.infra.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the scenarios of one run share: the options, the machine, the stacks, the probes, and
 * the ceilings once measured.
 */
final class BenchmarkRun {

  private final BenchmarkOptions options;
  private final MachineFacts machine;
  private final StackProvider stacks;
  private final JsonMapper json;
  private final ProcessGroupCpu cpu;
  private final Jcmd jcmd;
  private final Path auditJar;
  private Ceilings ceilings;

  BenchmarkRun(BenchmarkOptions options, MachineFacts machine, StackProvider stacks, JsonMapper json,
      ProcessGroupCpu cpu, Jcmd jcmd, Path auditJar) {
    this.options = options;
    this.machine = machine;
    this.stacks = stacks;
    this.json = json;
    this.cpu = cpu;
    this.jcmd = jcmd;
    this.auditJar = auditJar;
  }

  BenchmarkOptions options() {
    return options;
  }

  MachineFacts machine() {
    return machine;
  }

  StackProvider stacks() {
    return stacks;
  }

  JsonMapper json() {
    return json;
  }

  Path out() {
    return options.out();
  }

  /** The audit tool's executable jar. */
  Path auditJar() {
    return auditJar;
  }

  ProcessGroupCpu cpu() {
    return cpu;
  }

  /** The probes of a measured window on {@code stack}, profiling when the run was asked to. */
  MeasuredWindow window(BenchmarkStack stack, String scenario) {
    return new MeasuredWindow(stack, scenario, options.out(), options.profile(), cpu, machine.cores(), jcmd);
  }

  /** How long to wait for jobs to end after a load: generous, and bounded. */
  Duration drainTimeout() {
    return options.scaled(Duration.ofMinutes(5), Duration.ofMinutes(2));
  }

  void ceilings(Ceilings measured) {
    this.ceilings = measured;
  }

  Optional<Ceilings> ceilings() {
    return Optional.ofNullable(ceilings);
  }
}
