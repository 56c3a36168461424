package dev.imagejobs.audit;

import dev.imagejobs.schemas.EventType;
import dev.imagejobs.schemas.JobStatus;
import dev.imagejobs.schemas.LifecycleEvent;
import dev.imagejobs.schemas.LifecycleEventHandler;
import dev.imagejobs.schemas.LifecycleFold;
import dev.imagejobs.schemas.avro.JobRequested;
import dev.imagejobs.schemas.avro.JobRetryRequested;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints the ordered history of one job, or of every job of a project within a time range, as the
 * lifecycle topic holds it, with the status each event leads to under the one lifecycle fold.
 */
final class HistoryPrinter {
  private final TopicReader reader;
  private final PrintWriter out;

  HistoryPrinter(TopicReader reader, PrintWriter out) {
    this.reader = reader;
    this.out = out;
  }

  /** @return how many events were printed */
  int job(String jobId) {
    List<TopicReader.Entry> events = new ArrayList<>();
    reader.readAll(reader.partitionOf(jobId), entry -> {
      if (entry.event() != null && entry.event().jobId().equals(jobId)) {
        events.add(entry);
      }
    });
    out.println("History of job " + jobId + " (" + events.size() + " events)");
    print(events);
    return events.size();
  }

  /** @return how many events were printed */
  int project(String projectId, Instant from, Instant to) {
    Set<String> jobs = new HashSet<>();
    List<TopicReader.Entry> events = new ArrayList<>();
    reader.readAll(-1, entry -> {
      LifecycleEvent event = entry.event();
      if (event == null) {
        return;
      }
      // A job's JobRequested precedes its other events in its partition, so membership is known in time.
      if (event.payload() instanceof JobRequested requested && requested.getSpec().getProjectId().equals(projectId)) {
        jobs.add(event.jobId());
      }
      Instant at = event.metadata().getOccurredAt();
      if (jobs.contains(event.jobId()) && !at.isBefore(from) && at.isBefore(to)) {
        events.add(entry);
      }
    });
    events.sort(Comparator.comparing((TopicReader.Entry e) -> e.event().metadata().getOccurredAt())
        .thenComparing(TopicReader.Entry::partition).thenComparing(TopicReader.Entry::offset));
    out.println("History of project " + projectId + " from " + from + " to " + to + " (" + jobs.size()
        + " jobs, " + events.size() + " events)");
    print(events);
    return events.size();
  }

  private void print(List<TopicReader.Entry> entries) {
    Map<String, Folded> folded = new HashMap<>();
    for (TopicReader.Entry entry : entries) {
      LifecycleEvent event = entry.event();
      Folded before = folded.get(event.jobId());
      EventType type = event.type();
      RunOf run = new RunOf(before == null ? 0 : before.run());
      String after;
      LifecycleFold.Outcome outcome = LifecycleFold.fold(before, event, run);
      if (outcome instanceof LifecycleFold.Outcome.Applied applied) {
        String tenant = before == null ? event.metadata().getTenantId() : before.tenantId();
        folded.put(event.jobId(), new Folded(applied.after(), tenant, run.run));
        after = applied.after().wireName();
      } else {
        after = "REJECTED (" + ((LifecycleFold.Outcome.Rejected) outcome).reason() + ")";
      }
      var metadata = event.metadata();
      out.printf("%s  %d@%-8d %-36s %-23s -> %-10s %-10s attempt=%d  %s%n", metadata.getOccurredAt(),
          entry.partition(), entry.offset(), metadata.getJobId(), type.simpleName(), after, metadata.getProducer(),
          metadata.getAttempt(), EventSummary.of(event));
    }
    out.flush();
  }

  /** What the history knows of a job: what the one fold needs. */
  private record Folded(JobStatus status, String tenantId, int run) implements LifecycleFold.Job {}

  /** The run a job is on after an event: a retry starts its own. */
  private static final class RunOf implements LifecycleEventHandler {
    private int run;

    RunOf(int run) {
      this.run = run;
    }

    @Override
    public void on(JobRetryRequested retry) {
      run = retry.getRetryCount();
    }
  }
}
