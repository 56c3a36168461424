package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.jobs.JobEnds;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** {@link JobEnds} from the {@link EventFeed}: a job's stream, read until its terminal event. */
@Component
class FeedJobEnds implements JobEnds {
  private final EventFeed feed;
  private final OpenStreams openStreams;
  private final AtomicInteger waiting = new AtomicInteger();

  FeedJobEnds(EventFeed feed, OpenStreams openStreams) {
    this.feed = feed;
    this.openStreams = openStreams;
  }

  @Override
  public Mono<Boolean> awaitEnd(String tenantId, String jobId, long afterSeq, Duration max) {
    return Mono.defer(() -> {
      Runnable release = openStreams.admit(tenantId);
      waiting.incrementAndGet();
      return feed.job(jobId, afterSeq)
          .any(event -> event.recorded().statusAfter().isTerminal())
          .timeout(max, Mono.just(Boolean.FALSE))
          .doFinally(signal -> {
            waiting.decrementAndGet();
            release.run();
          });
    });
  }

  @Override
  public int waiting() {
    return waiting.get();
  }
}
