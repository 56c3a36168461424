package dev.imagejobs.infra.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The benchmark's pure parts: no stack, no network, no files. */
class BenchmarkTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Nested
  class HistogramSummaries {

    @Test
    void givenAHundredLatencies_thenPercentilesAreTheNearestRanksInMilliseconds() {
      // Given 1 ms .. 100 ms, recorded in microseconds
      Histogram micros = new Histogram(3);
      for (long millis = 100; millis >= 1; millis--) {
        micros.recordValue(millis * 1_000);
      }

      // When
      LatencySummary summary = LatencySummary.ofMicros(micros);

      // Then (HdrHistogram keeps three significant digits)
      assertThat(summary.count()).isEqualTo(100);
      assertThat(summary.p50()).isCloseTo(50, within(0.1));
      assertThat(summary.p95()).isCloseTo(95, within(0.1));
      assertThat(summary.p99()).isCloseTo(99, within(0.1));
      assertThat(summary.max()).isCloseTo(100, within(0.1));
    }

    @Test
    void givenNoLatencies_thenTheSummaryIsEmpty() {
      assertThat(LatencySummary.ofMicros(new Histogram(3))).isEqualTo(LatencySummary.EMPTY);
      assertThat(LatencySummary.EMPTY.format()).isEqualTo("none");
    }

    @Test
    void givenANegativeDuration_thenItIsCountedApartAndNeverRecorded() {
      LatencyRecorder recorder = new LatencyRecorder();

      recorder.recordNanos(-5);
      recorder.recordNanos(TimeUnit.MILLISECONDS.toNanos(3));

      assertThat(recorder.negativeCount()).isEqualTo(1);
      assertThat(recorder.summary().count()).isEqualTo(1);
      assertThat(recorder.summary().max()).isCloseTo(3, within(0.01));
    }
  }

  @Nested
  class OpenLoopSchedule {

    @Test
    void givenARate_thenRequestsAreDueAtFixedIntervalsFromTheStart() {
      ArrivalSchedule schedule = ArrivalSchedule.ofRate(200, 1_000_000);

      assertThat(schedule.intervalNanos()).isEqualTo(5_000_000);
      assertThat(schedule.intendedNanos(0)).isEqualTo(1_000_000);
      assertThat(schedule.intendedNanos(3)).isEqualTo(16_000_000);
    }

    @Test
    void countsTheRequestsDueWithinADuration() {
      ArrivalSchedule schedule = ArrivalSchedule.ofRate(200, 0);

      assertThat(schedule.countWithin(Duration.ofSeconds(1))).isEqualTo(200);
      assertThat(schedule.countWithin(Duration.ofNanos(1))).isEqualTo(1);
      assertThat(schedule.countWithin(Duration.ofMillis(5))).isEqualTo(1);
      assertThat(schedule.countWithin(Duration.ofNanos(5_000_001))).isEqualTo(2);
      assertThat(schedule.countWithin(Duration.ZERO)).isZero();
    }

    @Test
    void refusesARateThatIsNotPositive() {
      assertThatThrownBy(() -> ArrivalSchedule.ofRate(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenAnswersByStatus_thenOnlyTheMeasuredWindowIsCountedAndMissingRetryAfterIsNoticed() throws Exception {
      // Given a gateway that accepts even requests and sheds odd ones without Retry-After
      OpenLoopLoad load = new OpenLoopLoad(index -> Mono.just(index % 2 == 0
          ? new PostOutcome(202, "job-" + index, false)
          : new PostOutcome(429, null, false)), Duration.ofSeconds(1));
      List<Long> measuredAccepted = new ArrayList<>();

      // When 1000/s is offered for 50 ms of warm-up and 100 ms measured
      OpenLoopLoad.Running running = load.start(1000, Duration.ofMillis(50), Duration.ofMillis(100),
          (index, jobId, intended, answered, measured) -> {
            if (measured) {
              synchronized (measuredAccepted) {
                measuredAccepted.add(index);
              }
            }
            assertThat(answered).isGreaterThanOrEqualTo(intended);
          });
      OpenLoopLoad.Result result = running.result().get(10, TimeUnit.SECONDS);

      // Then the 50 warm-up requests are sent but not counted; the 100 measured are split by status
      assertThat(result.warmupRequests()).isEqualTo(50);
      assertThat(result.offered()).isEqualTo(100);
      assertThat(result.answers()).containsEntry("202", 50L).containsEntry("429", 50L);
      assertThat(result.withoutRetryAfter()).isEqualTo(50);
      assertThat(result.acceptedTotal()).isEqualTo(75);
      assertThat(measuredAccepted).hasSize(50).allSatisfy(index -> assertThat(index).isGreaterThanOrEqualTo(50));
      assertThat(result.latency().count()).isEqualTo(100);
      assertThat(result.windowEndNanos() - result.windowStartNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  @Nested
  class EventStreamParsing {

    private final List<SseEvent> events = new ArrayList<>();
    private final SseParser parser = new SseParser();

    private void feed(String text) {
      parser.feed(text.getBytes(StandardCharsets.UTF_8), events::add);
    }

    @Test
    void givenAStreamWithCommentsIdsAndTypes_thenEachEventCarriesThem() {
      feed("retry:3000\n:stream open\n\nid:1\nevent:JobRequested\ndata:{\"status\":\"queued\"}\n\n"
          + ":heartbeat\n\nid: 2\nevent: JobStarted\ndata: {\"status\":\"processing\"}\n\n");

      assertThat(events).containsExactly(
          new SseEvent("1", "JobRequested", "{\"status\":\"queued\"}"),
          new SseEvent("2", "JobStarted", "{\"status\":\"processing\"}"));
      assertThat(parser.comments()).isEqualTo(2);
    }

    @Test
    void givenSeveralDataLines_thenTheyAreJoinedWithLineFeeds() {
      feed("data:first\ndata:\ndata: third\n\n");

      assertThat(events).containsExactly(new SseEvent(null, "message", "first\n\nthird"));
    }

    @Test
    void givenChunksThatSplitLinesCrLfAndCharacters_thenTheEventIsTheSame() {
      byte[] bytes = "id:7\r\nevent:JobCompleted\r\ndata:{\"prompt\":\"caf\u00e9\"}\r\n\r\n".getBytes(StandardCharsets.UTF_8);
      for (byte b : bytes) {
        parser.feed(new byte[] {b}, events::add);
      }

      assertThat(events).containsExactly(new SseEvent("7", "JobCompleted", "{\"prompt\":\"caf\u00e9\"}"));
    }

    @Test
    void givenAnEventWithoutData_thenNothingIsDispatchedButItsIdPersists() {
      feed("id:5\nevent:JobStarted\n\ndata:x\n\n");

      assertThat(events).containsExactly(new SseEvent("5", "message", "x"));
    }

    @Test
    void givenLinesEndingWithCarriageReturnsOnly_thenTheyEndLines() {
      feed("data:a\rdata:b\r\r");

      assertThat(events).containsExactly(new SseEvent(null, "message", "a\nb"));
    }

    @Test
    void readsTheTopLevelFieldsOfAJobViewAndSkipsNestedOnes() {
      JobViewFields view = JobViewFields.parse(JSON, "{\"jobId\":\"j1\",\"prompt\":\"\\\"status\\\":\\\"x\\\"\","
          + "\"image\":{\"status\":\"nested\",\"updatedAt\":\"2020-01-01T00:00:00Z\"},\"status\":\"completed\","
          + "\"updatedAt\":\"2026-11-24T07:12:22.104123Z\",\"eventSeq\":6}");

      assertThat(view).isEqualTo(new JobViewFields("j1", "completed", Instant.parse("2026-11-24T07:12:22.104123Z"), 6));
    }
  }

  @Nested
  class ProcessFigures {

    @Test
    void readsTheHeapAfterEachCollectionFromGcLogLines() {
      assertThat(GcLog.heapAfterBytes(
          "[12.345s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 120M->40M(256M) 3.123ms"))
          .hasValue(40L * 1024 * 1024);
      assertThat(GcLog.heapAfterBytes("[3.1s][info][gc] GC(3) Pause Full (System.gc()) 30M->21M(128M) 40.1ms"))
          .hasValue(21L * 1024 * 1024);
      assertThat(GcLog.heapAfterBytes("[0.5s][info][gc] GC(0) Pause Young (Concurrent Start) 2048K->512K(8192K) 1ms"))
          .hasValue(512L * 1024);
      assertThat(GcLog.heapAfterBytes("[4.0s][info][gc] GC(5) Concurrent Mark Cycle 12.345ms")).isEmpty();
      assertThat(GcLog.heapAfterBytes("[0.010s][info][gc] Using G1")).isEmpty();
    }

    @Test
    void readsCpuTimesFromAStatLineWhoseCommandHoldsSpacesAndParentheses() {
      String line = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1500 0 0 0 731 152 40 12 20 0 57 0 "
          + "12345 4000000000 30000 18446744073709551615";

      ProcStat stat = ProcStat.parse(line);

      assertThat(stat).isEqualTo(new ProcStat(4242, "my (odd) cmd", 731, 152, 40, 12));
      assertThat(stat.ownTicks()).isEqualTo(883);
      assertThat(stat.totalTicks()).isEqualTo(935);
    }

    @Test
    void refusesALineThatIsNotAStatLine() {
      assertThatThrownBy(() -> ProcStat.parse("no parentheses here")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsResidentMemoryAndTheOpenFilesLimit() {
      assertThat(ProcStatus.residentBytes("Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  327680 kB\nThreads:\t40\n"))
          .hasValue(327_680L * 1024);
      assertThat(ProcStatus.openFilesLimit("Limit                     Soft Limit           Hard Limit           Units\n"
          + "Max open files            20000                40000                files\n")).hasValue(20_000);
      assertThat(ProcStatus.openFilesLimit("Max open files            unlimited            unlimited            files\n"))
          .hasValue(Long.MAX_VALUE);
    }

    @Test
    void readsTheCpuModelAndMemoryOfTheMachine() {
      assertThat(MachineFacts.cpuModel("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"))
          .hasValue("AMD EPYC 7B13");
      assertThat(MachineFacts.memTotalBytes("MemTotal:       24576000 kB\nMemFree:  1 kB\n"))
          .isEqualTo(24_576_000L * 1024);
    }
  }

  @Nested
  class Options {

    @Test
    void givenNoArguments_thenEveryScenarioRunsWithTheDefaults() {
      BenchmarkOptions options = BenchmarkOptions.parse(List.of(), Instant.parse("2026-11-28T10:15:30Z"));

      assertThat(options.scenarios()).isEqualTo(BenchmarkOptions.ALL_SCENARIOS);
      assertThat(options.duration()).isEqualTo(Duration.ofSeconds(60));
      assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(15));
      assertThat(options.stackWarmup()).isEqualTo(Duration.ofMinutes(10));
      assertThat(options.rate()).isEqualTo(1000);
      assertThat(options.out()).isEqualTo(Path.of("benchmark-results", "20261128T101530Z"));
      assertThat(options.help()).isFalse();
    }

    @Test
    void givenQuick_thenDurationsShrinkUnlessGiven() {
      BenchmarkOptions quick = BenchmarkOptions.parse(List.of("--quick", "--warmup", "2s"), Instant.EPOCH);

      assertThat(quick.duration()).isEqualTo(Duration.ofSeconds(10));
      assertThat(quick.warmup()).isEqualTo(Duration.ofSeconds(2));
      assertThat(quick.stackWarmup()).isEqualTo(Duration.ofSeconds(45));
      assertThat(BenchmarkOptions.parse(List.of("--quick", "--stack-warmup", "0"), Instant.EPOCH).stackWarmup())
          .isZero();
      assertThat(quick.scaled(2000, 200)).isEqualTo(200);
    }

    @Test
    void runsTheChosenScenariosInTheCanonicalOrder() {
      BenchmarkOptions options = BenchmarkOptions.parse(
          List.of("--scenarios", "overhead,ceilings,overhead", "--rate", "300", "--profile", "--out", "x"), Instant.EPOCH);

      assertThat(options.scenarios()).containsExactly("ceilings", "overhead");
      assertThat(options.rate()).isEqualTo(300);
      assertThat(options.profile()).isTrue();
      assertThat(options.out()).isEqualTo(Path.of("x"));
    }

    @Test
    void readsDurationsWithOrWithoutAUnit() {
      assertThat(BenchmarkOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
      assertThat(BenchmarkOptions.parseDuration("90")).isEqualTo(Duration.ofSeconds(90));
      assertThat(BenchmarkOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
      assertThat(BenchmarkOptions.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void namesWhatIsWrong() {
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--scenarios", "speed"), Instant.EPOCH))
          .hasMessageContaining("speed");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--duration", "soon"), Instant.EPOCH))
          .hasMessageContaining("--duration");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--rate"), Instant.EPOCH))
          .hasMessageContaining("--rate needs a value");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--fast"), Instant.EPOCH))
          .hasMessageContaining("--fast");
      assertThat(BenchmarkOptions.parse(List.of("-h"), Instant.EPOCH).help()).isTrue();
    }
  }

  @Nested
  class Priorities {

    private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");

    private static Instant at(double seconds) {
      return T0.plusNanos(Math.round(seconds * 1e9));
    }

    private static JobTimes job(String id, String priority, double created, Double started, Double ended) {
      return new JobTimes(id, priority, ended == null ? (started == null ? "queued" : "generating") : "completed",
          at(created), started == null ? null : at(started), ended == null ? null : at(ended));
    }

    private static Map<String, String> probes() {
      Map<String, String> probes = new LinkedHashMap<>();
      probes.put("high", "p-high");
      probes.put("normal", "p-normal");
      probes.put("low", "p-low");
      return probes;
    }

    /** Ten backlog jobs, four started before the probes at 100 s and six after, one a second; then the probes. */
    private static List<JobTimes> round() {
      List<JobTimes> jobs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        jobs.add(job("b" + i, "normal", 90 + i, 95.0 + i, 97.0 + i));
      }
      for (int i = 0; i < 6; i++) {
        jobs.add(job("b" + (4 + i), "normal", 94 + i, 101.0 + i, 103.0 + i));
      }
      jobs.add(job("p-high", "high", 100.0, 101.5, 103.5));
      jobs.add(job("p-normal", "normal", 100.01, 107.0, 109.0));
      jobs.add(job("p-low", "low", 100.02, 108.0, 110.0));
      return jobs;
    }

    @Test
    void givenNoPriorityOptions_thenTheScenarioQueuesAThousandJobsForThreeRoundsOnATwoSecondProvider() {
      PriorityOptions options = BenchmarkOptions.parse(List.of(), Instant.EPOCH).priority();

      assertThat(options).isEqualTo(new PriorityOptions(1000, 3, Duration.ofSeconds(2), OptionalInt.empty()));
      assertThat(options.effectiveMaxInFlight()).isEqualTo(32);
      assertThat(BenchmarkOptions.parse(List.of("--quick"), Instant.EPOCH).priority())
          .isEqualTo(new PriorityOptions(200, 1, Duration.ofSeconds(2), OptionalInt.empty()));
    }

    @Test
    void readsThePriorityOptionsAndTheScenarioName() {
      BenchmarkOptions options = BenchmarkOptions.parse(List.of("--scenarios", "priority", "--quick",
          "--priority-backlog", "5000", "--priority-rounds", "5", "--priority-provider-latency", "500ms",
          "--priority-max-in-flight", "64"), Instant.EPOCH);

      assertThat(options.scenarios()).containsExactly("priority");
      assertThat(options.priority()).isEqualTo(new PriorityOptions(5000, 5, Duration.ofMillis(500), OptionalInt.of(64)));
      assertThat(options.priority().idealStartSeconds(6400)).isCloseTo(50, within(1e-9));
      assertThat(BenchmarkOptions.USAGE).contains("--priority-backlog").contains("  priority ");
      assertThat(BenchmarkRunner.describe(options)).containsEntry("priority",
          "backlog 5000, 5 rounds, provider 500 ms, max in flight 64");
    }

    @Test
    void namesAPriorityOptionThatIsWrong() {
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--priority-rounds", "0"), Instant.EPOCH))
          .hasMessageContaining("--priority-rounds");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--priority-backlog", "many"), Instant.EPOCH))
          .hasMessageContaining("--priority-backlog");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--priority-provider-latency", "0"), Instant.EPOCH))
          .hasMessageContaining("--priority-provider-latency");
      assertThatThrownBy(() -> BenchmarkOptions.parse(List.of("--priority-max-in-flight", "0"), Instant.EPOCH))
          .hasMessageContaining("--priority-max-in-flight");
    }

    @Test
    void givenTheDefaults_thenTheStackHasASlowCheapProviderTheServicesInFlightAndRoomForTheBacklog() {
      PriorityOptions options = PriorityOptions.defaults(false);

      Map<String, String> overrides = PriorityScenario.overrides(options);

      assertThat(overrides).containsEntry(BenchmarkStack.LOCAL_LATENCY, "2000ms")
          .containsEntry(BenchmarkStack.LOCAL_MODE, "prerendered")
          .containsEntry(BenchmarkStack.ADMISSION_MAX_QUEUED, "10000")
          .containsEntry(PriorityScenario.QUEUED_DEADLINE, "60m")
          .doesNotContainKey(BenchmarkStack.MAX_IN_FLIGHT);
      assertThat(PriorityScenario.overrides(new PriorityOptions(20_000, 1, Duration.ofSeconds(2), OptionalInt.of(8))))
          .containsEntry(BenchmarkStack.MAX_IN_FLIGHT, "8")
          .containsEntry(BenchmarkStack.ADMISSION_MAX_QUEUED, "40000")
          .containsEntry(PriorityScenario.QUEUED_DEADLINE, "336m");
      assertThat(PriorityScenario.drainTimeout(options)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void writesTheRequestedPriorityIntoTheBody() {
      JsonNode body = JSON.readTree(new JobRequests("p1").body(7, "high"));

      assertThat(body.path("priority").asString()).isEqualTo("high");
      assertThat(body.path("assetId").asString()).isEqualTo("asset7");
      assertThat(JSON.readTree(new JobRequests("p1").body(7)).has("priority")).isFalse();
    }

    @Test
    void readsTheTimesOfAJobView() {
      JobTimes ended = JobTimes.of(JSON.readTree("{\"jobId\":\"j1\",\"status\":\"completed\",\"priority\":\"low\","
          + "\"createdAt\":\"2026-12-08T10:00:00.100Z\",\"startedAt\":\"2026-12-08T10:01:02.600Z\","
          + "\"completedAt\":\"2026-12-08T10:01:05Z\",\"updatedAt\":\"2026-12-08T10:01:05.200Z\",\"image\":{}}"));
      JobTimes queued = JobTimes.of(JSON.readTree("{\"jobId\":\"j2\",\"status\":\"queued\",\"priority\":\"high\","
          + "\"createdAt\":\"2026-12-08T10:00:00Z\",\"startedAt\":null,\"updatedAt\":\"2026-12-08T10:00:00Z\"}"));

      assertThat(ended).isEqualTo(new JobTimes("j1", "low", "completed", Instant.parse("2026-12-08T10:00:00.100Z"),
          Instant.parse("2026-12-08T10:01:02.600Z"), Instant.parse("2026-12-08T10:01:05.200Z")));
      assertThat(ended.waitToStartSeconds()).isCloseTo(62.5, within(1e-9));
      assertThat(queued.startedAt()).isNull();
      assertThat(queued.endedAt()).isNull();
      assertThat(queued.waitToStartSeconds()).isNaN();
    }

    @Test
    void givenARound_thenEachProbeWaitsFromCreationToStartAndTheBacklogIsMeasuredFromTheFirstProbe() {
      PriorityRound round = PriorityRound.of(round(), probes(), 12.5);

      assertThat(round.waits()).containsOnlyKeys("high", "normal", "low");
      assertThat(round.waits().get("high")).isCloseTo(1.5, within(1e-9));
      assertThat(round.waits().get("normal")).isCloseTo(6.99, within(1e-9));
      assertThat(round.waits().get("low")).isCloseTo(7.98, within(1e-9));
      assertThat(round.backlogJobs()).isEqualTo(10);
      assertThat(round.queuedAhead()).isEqualTo(6);
      // Nine starts (six backlog jobs and the three probes) in the 8 s after the first probe's creation.
      assertThat(round.startRate()).isCloseTo(9 / 8.0, within(1e-9));
      assertThat(round.queuedAheadOverStartRate()).isCloseTo(6 / (9 / 8.0), within(1e-9));
      assertThat(round.drainSeconds()).isCloseTo(10, within(1e-9));
      assertThat(round.fillSeconds()).isEqualTo(12.5);
      assertThat(round.unended()).isZero();
    }

    @Test
    void givenAProbeThatNeverStarted_thenItsWaitIsMissingAndTheJobsCountAsUnended() {
      List<JobTimes> jobs = new ArrayList<>(round());
      jobs.set(jobs.size() - 1, job("p-low", "low", 100.02, null, null));

      PriorityRound round = PriorityRound.of(jobs, probes(), 1);

      assertThat(round.waits().get("low")).isNaN();
      assertThat(round.unended()).isEqualTo(1);
      assertThatThrownBy(() -> PriorityRound.of(round().subList(0, 10), probes(), 1))
          .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void takesTheMedianOfTheValuesThatAreNumbers() {
      assertThat(Numbers.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
      assertThat(Numbers.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
      assertThat(Numbers.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
      assertThat(Numbers.median(List.of())).isNaN();
    }

    @Test
    void printsEachPrioritysWaitPerRoundWithTheMedianThenTheBacklogFigures() {
      PriorityRound first = PriorityRound.of(round(), probes(), 12.5);
      PriorityRound second = new PriorityRound(Map.of("high", 2.0, "normal", 61.0, "low", 63.0), 1300, 30, 1000, 16,
          64.5, 0);
      PriorityRound third = new PriorityRound(Map.of("high", 1.0, "normal", 59.0, "low", 60.0), 1290, 29, 990, 15.5,
          66, 0);

      List<Figure> figures = PriorityFigures.of(List.of(first, second, third));

      assertThat(figures).extracting(Figure::name).containsExactly("wait to start: high", "wait to start: normal",
          "wait to start: low", "normal jobs queued ahead of the probes", "start rate after the probes",
          "queued ahead / start rate", "backlog drain after the probes", "queueing the backlog (setup)",
          "backlog jobs accepted");
      assertThat(BenchmarkReport.values(figures.get(0)))
          .isEqualTo("round 1 1.50 · round 2 2.00 · round 3 1.00 · median 1.50 s");
      assertThat(BenchmarkReport.values(figures.get(1)))
          .isEqualTo("round 1 6.99 · round 2 61.0 · round 3 59.0 · median 59.0 s");
      assertThat(BenchmarkReport.values(figures.get(3)))
          .isEqualTo("round 1 6 · round 2 1000 · round 3 990 · median 990 jobs");
      assertThat(BenchmarkReport.values(figures.get(4)))
          .isEqualTo("round 1 1.13 · round 2 16.0 · round 3 15.5 · median 15.5 jobs/s");
      assertThat(figures.get(0).note()).contains("server-side").contains("createdAt").contains("startedAt");

      String markdown = new BenchmarkReport(T0, Duration.ofMinutes(6), Map.of("cores", "2"), Map.of(),
          List.of(new ScenarioResult("priority", "wait to start by priority", Map.of("provider latency", "2000 ms"),
              figures, List.of(), Duration.ofMinutes(6)))).markdown();
      assertThat(markdown).contains("| wait to start: low | round 1 7.98 · round 2 63.0 · round 3 60.0 · median 60.0 s | s |");
    }

    @Test
    void givenNoRound_thenThereIsNoFigure() {
      assertThat(PriorityFigures.of(List.of())).isEmpty();
    }
  }

  @Nested
  class Reports {

    private final BenchmarkReport report = new BenchmarkReport(Instant.parse("2026-11-28T10:15:30Z"),
        Duration.ofSeconds(95), Map.of("cores", "2"), Map.of("quick", "true"),
        List.of(new ScenarioResult("post-latency", "POST latency", settings(), List.of(
            Figure.latency("POST latency", new LatencySummary(12000, 4.5, 9.25, 31.0, 120.0), "open loop"),
            Figure.counts("answers by status", Map.of("202", 12000L), ""),
            Figure.of("backlog", "jobs", 3L, "a | pipe"),
            Figure.of("share", "%", Double.NaN, "")), List.of("something to know"), Duration.ofSeconds(80))));

    private static Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("PostgreSQL fsync", "on");
      settings.put("offered rate", "200/s");
      return settings;
    }

    @Test
    void rendersEveryFigureWithItsValuesAndUnit() {
      assertThat(BenchmarkReport.values(report.scenarios().get(0).figures().get(0)))
          .isEqualTo("count 12000 · p50 4.50 · p95 9.25 · p99 31.0 · max 120 ms");
      assertThat(BenchmarkReport.values(report.scenarios().get(0).figures().get(2))).isEqualTo("3 jobs");
      assertThat(BenchmarkReport.values(report.scenarios().get(0).figures().get(3))).isEqualTo("n/a %");
    }

    @Test
    void printsTheSettingsNextToTheFigures() {
      String text = report.text();

      assertThat(text).contains("--- post-latency: POST latency (1 min 20 s) ---")
          .contains("PostgreSQL fsync").contains("count 12000 · p50 4.50").contains("NOTE something to know");
      assertThat(text.indexOf("offered rate")).isLessThan(text.indexOf("POST latency  "));
    }

    @Test
    void writesMarkdownTablesOfSettingsAndFigures() {
      String markdown = report.markdown();

      assertThat(markdown).contains("## post-latency: POST latency")
          .contains("| setting | value |\n|---|---|\n| PostgreSQL fsync | on |\n| offered rate | 200/s |")
          .contains("| figure | value | unit | how |")
          .contains("| backlog | 3 jobs | jobs | a \\| pipe |")
          .contains("- **Note:** something to know");
    }

    @Test
    void writesJsonWithNumbersAsNumbersAndMissingFiguresAsNull() {
      JsonNode json = JSON.readTree(report.json(JSON));

      assertThat(json.path("startedAt").asString()).isEqualTo("2026-11-28T10:15:30Z");
      assertThat(json.path("machine").path("cores").asString()).isEqualTo("2");
      JsonNode scenario = json.path("scenarios").get(0);
      assertThat(scenario.path("scenario").asString()).isEqualTo("post-latency");
      assertThat(scenario.path("settings").path("PostgreSQL fsync").asString()).isEqualTo("on");
      JsonNode latency = scenario.path("figures").get(0);
      assertThat(latency.path("unit").asString()).isEqualTo("ms");
      assertThat(latency.path("values").path("p99").asDouble()).isEqualTo(31.0);
      assertThat(latency.path("values").path("count").asLong()).isEqualTo(12000);
      assertThat(scenario.path("figures").get(3).path("values").path("value").isNull()).isTrue();
      assertThat(scenario.path("notes").get(0).asString()).isEqualTo("something to know");
    }
  }
}
