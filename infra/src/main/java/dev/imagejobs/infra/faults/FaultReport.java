package dev.imagejobs.infra.faults;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault run found.
 *
 * @param options what ran
 * @param startSeconds how long the stack took to start
 * @param loadSeconds how long the submissions took
 * @param jobs jobs accepted
 * @param retries jobs retried after they failed
 * @param cancels jobs canceled right after they were accepted
 * @param killed processes killed with SIGKILL, in order
 * @param ended jobs by their final status
 * @param lost accepted jobs that did not end, or that no gateway knows
 * @param duplicatedJobs idempotency keys answered with two jobs, and jobs nobody asked for
 * @param duplicatedEnds runs that ended more than once in the lifecycle topic
 * @param duplicatedSummaries jobs announced more than once on the completed topic
 * @param providerCalls the provider's calls and why any was repeated
 * @param auditExitCode the audit tool's verdict: 0 when the rebuilt read model equals the live one
 * @param auditDifferences jobs whose rebuilt row differs from the live one (-1: not reported)
 * @param streamReconnects times the project's event stream was resumed on another gateway
 * @param streamDuplicates events the stream delivered more than once
 * @param streamMissing events of the project's jobs the stream never delivered
 */
public record FaultReport(FaultRun.Options options, double startSeconds, double loadSeconds, long jobs, long retries,
    long cancels, List<String> killed, Map<String, Long> ended, long lost, long duplicatedJobs, long duplicatedEnds,
    long duplicatedSummaries, ProviderCalls providerCalls, int auditExitCode, long auditDifferences,
    long streamReconnects, long streamDuplicates, long streamMissing) {

  /** Whether every guarantee held: nothing lost or duplicated, no call repeated but those a kill interrupted. */
  public boolean passed() {
    return lost == 0 && duplicatedJobs == 0 && duplicatedEnds == 0 && duplicatedSummaries == 0
        && providerCalls.unexplained() == 0 && auditExitCode == 0 && auditDifferences == 0
        && streamDuplicates == 0 && streamMissing == 0;
  }

  /** The figures, in the order the report prints them. */
  public Map<String, Object> figures() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("instances per service", options.instances());
    figures.put("jobs accepted", jobs);
    figures.put("of which failed on purpose and retried", retries);
    figures.put("of which canceled", cancels);
    figures.put("submission rate /s", options.perSecond());
    figures.put("provider latency ms", options.providerLatency().toMillis());
    figures.put("processes killed (SIGKILL)", String.join(", ", killed));
    figures.put("jobs by final status", ended);
    figures.put("jobs lost", lost);
    figures.put("jobs duplicated", duplicatedJobs);
    figures.put("runs ended twice", duplicatedEnds);
    figures.put("completions announced twice", duplicatedSummaries);
    figures.put("provider calls", providerCalls.calls());
    figures.put("calls repeated after a kill interrupted them", providerCalls.repeatedAfterInterruption());
    figures.put("calls repeated after a kill between answer and staging", providerCalls.repeatedAfterAnswer());
    figures.put("duplicate provider calls otherwise", providerCalls.unexplained());
    figures.put("read model vs rebuild (audit exit code, differences)", auditExitCode + ", " + auditDifferences);
    figures.put("event stream resumed on another gateway", streamReconnects);
    figures.put("stream events delivered twice", streamDuplicates);
    figures.put("stream events missing", streamMissing);
    figures.put("stack start s", Math.round(startSeconds));
    figures.put("load s", Math.round(loadSeconds));
    return figures;
  }

  /** A markdown table of the figures and the verdict. */
  public String text() {
    StringBuilder text = new StringBuilder("| figure | value |\n|---|---|\n");
    figures().forEach((name, value) -> text.append("| ").append(name).append(" | ").append(value).append(" |\n"));
    return text.append("\nVerdict: ").append(passed() ? "PASSED" : "FAILED").append('\n').toString();
  }
}
