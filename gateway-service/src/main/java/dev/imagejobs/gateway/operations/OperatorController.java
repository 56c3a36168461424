package dev.imagejobs.gateway.operations;

import dev.imagejobs.gateway.projection.ProjectionSettings;
import dev.imagejobs.schemas.TopicNames;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /api/v1/operator/overview}: the dashboard's figures, for tokens with the operator role
 * only (tenants get 403). Computed at most once per refresh interval per gateway instance and
 * shared by every page asking meanwhile; the read model's figures are shown even while the broker
 * does not answer, with the missing ones named in {@code problems}.
 */
@RestController
class OperatorController {
  static final String OVERVIEW = "/api/v1/operator/overview";
  private static final Logger log = LoggerFactory.getLogger(OperatorController.class);

  private final JobFigures jobs;
  private final KafkaFigures kafka;
  private final OperatorSettings settings;
  private final TopicNames topics;
  private final String projectionGroup;
  private final Clock clock;
  private final Mono<OperatorOverview> shared;

  OperatorController(JobFigures jobs, KafkaFigures kafka, OperatorSettings settings, TopicNames topics,
      ProjectionSettings projection, Clock clock) {
    this.jobs = jobs;
    this.kafka = kafka;
    this.settings = settings;
    this.topics = topics;
    this.projectionGroup = projection.consumerGroup();
    this.clock = clock;
    this.shared = Mono.defer(this::compute)
        .cache(overview -> settings.refreshInterval(), failure -> Duration.ZERO, () -> Duration.ZERO);
  }

  @Operation(summary = "Read the operator dashboard's figures", description = "Across every tenant: jobs by status "
      + "and age, queued jobs by priority, stuck jobs, throughput and latency per minute, failures by error class, "
      + "consumer lag per group and partition, jobs in flight per generation instance, dead letters and today's "
      + "spend. Operator role only.")
  @ApiResponse(responseCode = "200", description = "The figures, at most refresh-interval old")
  @ApiResponse(responseCode = "403", description = "The token has no operator role")
  @GetMapping(path = OVERVIEW, produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<OperatorOverview> overview() {
    return shared;
  }

  private Mono<OperatorOverview> compute() {
    Instant now = clock.instant();
    Mono<Map<Integer, Long>> inFlight = jobs.inGenerationByPartition();
    Mono<Map<Integer, Long>> projected = jobs.projectionOffsets(projectionGroup, topics.lifecycle());
    Mono<BrokerFigures> broker = Mono.zip(inFlight, projected)
        .flatMap(positions -> Mono.fromCallable(() -> broker(positions.getT1(), positions.getT2()))
            .subscribeOn(Schedulers.boundedElastic()));
    return Mono.zip(jobs.active().collectList(), jobs.endedLastHour().collectList(),
            jobs.stuck(settings.stuckAfter()).collectList(), jobs.minutes(now),
            jobs.failuresLastHour().collectList(), jobs.spendToday().collectList(), broker, jobs.queuedByPriority())
        .map(all -> new OperatorOverview(now, all.getT1(), all.getT8(), all.getT2(), all.getT3(), all.getT4(),
            all.getT5(), all.getT7().lag(), all.getT7().generation(), all.getT7().deadLetters().latest(),
            all.getT7().deadLetters().total(), all.getT6(), all.getT7().problems()));
  }

  /** What the broker says; a part it does not answer is left empty and named in {@code problems}. */
  private BrokerFigures broker(Map<Integer, Long> inFlight, Map<Integer, Long> projected) {
    List<String> problems = new ArrayList<>();
    List<OperatorOverview.PartitionLag> lag = List.of();
    List<OperatorOverview.GenerationInstance> generation = List.of();
    KafkaFigures.DeadLetterSample letters = new KafkaFigures.DeadLetterSample(List.of(), 0);
    try {
      lag = kafka.lag(List.of(topics.lifecycle(), topics.completed()), projectionGroup, projected, topics.lifecycle());
      generation = kafka.generation(settings.generationGroup(), topics.lifecycle(), inFlight, lag);
    } catch (Exception e) {
      log.warn("Consumer lag unavailable: {}", e.toString());
      problems.add("Consumer lag and generation instances: " + e.getMessage());
    }
    try {
      letters = kafka.deadLetters(topics.lifecycleDlq(), settings.deadLettersShown());
    } catch (Exception e) {
      log.warn("Dead letters unavailable: {}", e.toString());
      problems.add("Dead letters: " + e.getMessage());
    }
    return new BrokerFigures(lag, generation, letters, problems);
  }

  private record BrokerFigures(List<OperatorOverview.PartitionLag> lag,
      List<OperatorOverview.GenerationInstance> generation, KafkaFigures.DeadLetterSample deadLetters,
      List<String> problems) {}
}
