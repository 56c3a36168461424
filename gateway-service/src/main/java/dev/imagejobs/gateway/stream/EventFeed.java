package dev.imagejobs.gateway.stream;

import dev.imagejobs.gateway.readmodel.CommittedEvents;
import dev.imagejobs.gateway.readmodel.EventPosition;
import dev.imagejobs.gateway.readmodel.ReadModel;
import dev.imagejobs.gateway.readmodel.RecordedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The one reader of the event history on this gateway instance: it reads every new event once, in
 * position order, and hands it to the streams that want it in memory, so an event costs one read
 * whatever the number of open streams ({@code EventFeedIT}).
 *
 * <p>A stream joins in two steps that leave no gap and no repeat: it registers (from then on the
 * feed buffers every event it dispatches for the stream) and notes the feed's position P at that
 * instant, in one step; then it reads its history from the database up to P, then the buffered and
 * live events, which all lie after P. A stream that falls too far behind (its client reads more
 * slowly than events come) is ended; its client reconnects with {@code Last-Event-ID} and catches
 * up from the history.
 *
 * <p>The feed reads when this instance committed events ({@link CommittedEvents}), when any
 * instance's projection notifies ({@link JobEventNotifications}), when committed events are held
 * back by an older transaction still running (shortly after), and periodically as a fallback.
 * Without open streams it reads no events, only the latest position.
 */
final class EventFeed implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_HELD_BACK_DOUBLINGS = 7;

  private final ReadModel readModel;
  private final JobEventNotifications notifications;
  private final CommittedEvents committed;
  private final StreamSettings settings;
  private final Function<RecordedEvent, String> render;

  /** Guards the position and the registrations, so joining and dispatching never interleave. */
  private final Object lock = new Object();
  private EventPosition position = EventPosition.START;
  private final Map<String, Set<Subscription>> byJob = new HashMap<>();
  private final Map<ProjectKey, Set<Subscription>> byProject = new HashMap<>();
  private int subscriptions;

  private final AtomicBoolean reading = new AtomicBoolean();
  private final AtomicBoolean readAgain = new AtomicBoolean();
  private final AtomicInteger reads = new AtomicInteger();
  /** Reads in a row that found events held back; the wait before the next one doubles with it. */
  private final AtomicInteger heldBackStreak = new AtomicInteger();
  private volatile Disposable wakeUps;
  private volatile boolean running;

  /**
   * @param render turns an event into the data its stream events carry; called once per event
   *     that some stream wants, whatever the number of such streams
   */
  EventFeed(ReadModel readModel, JobEventNotifications notifications, CommittedEvents committed,
      StreamSettings settings, Function<RecordedEvent, String> render) {
    this.readModel = readModel;
    this.notifications = notifications;
    this.committed = committed;
    this.settings = settings;
    this.render = render;
  }

  /**
   * The events of one job after its event {@code afterSeq}; completes after an event that leaves
   * the job in a terminal status.
   */
  Flux<FeedEvent> job(String jobId, long afterSeq) {
    return Flux.defer(() -> {
      Subscription subscription = new Subscription(event -> event.seq() > afterSeq, true);
      EventPosition joinedAt = register(subscription, byJob, jobId);
      AtomicBoolean ended = new AtomicBoolean();
      Flux<FeedEvent> history = pages(afterSeq,
              after -> readModel.eventsOfJob(jobId, after, joinedAt, settings.pageSize()), event -> (long) event.seq())
          .map(FeedEvent::new)
          .doOnNext(event -> ended.set(event.recorded().statusAfter().isTerminal()));
      return history.concatWith(Flux.defer(() -> ended.get() ? Flux.empty() : subscription.live()))
          .doFinally(signal -> unregister(subscription, byJob, jobId));
    });
  }

  /** The events of every job of a project after {@code after}; never completes by itself. */
  Flux<FeedEvent> project(String tenantId, String projectId, EventPosition after) {
    ProjectKey key = new ProjectKey(tenantId, projectId);
    return Flux.defer(() -> {
      Subscription subscription = new Subscription(event -> event.position().isAfter(after), false);
      EventPosition joinedAt = register(subscription, byProject, key);
      Flux<FeedEvent> history = after.isAfter(joinedAt)
          ? Flux.empty()
          : pages(after, from -> readModel.eventsOfProject(tenantId, projectId, from, joinedAt, settings.pageSize()),
              RecordedEvent::position).map(FeedEvent::new);
      return history.concatWith(subscription.live())
          .doFinally(signal -> unregister(subscription, byProject, key));
    });
  }

  /**
   * The events of a set of jobs (a batch) after {@code after}, in position order; completes once
   * every one of them has ended, that is once the latest of its events the client has (sent here, or
   * before {@code after}) left it in a terminal status.
   */
  Flux<FeedEvent> jobs(Set<String> jobIds, EventPosition after) {
    return Flux.defer(() -> {
      Subscription subscription = new Subscription(event -> event.position().isAfter(after), false);
      EventPosition joinedAt = register(subscription, byJob, jobIds);
      // Read after joining: a job's latest event is then either at or before `after` (the client has
      // it), or it is in the history below, or the feed dispatches it to this stream later.
      Mono<Set<String>> endedBefore = readModel.latestEventsOf(jobIds)
          .filter(latest -> latest.statusAfter().isTerminal() && !latest.position().isAfter(after))
          .map(RecordedEvent::jobId)
          .collect(Collectors.toCollection(HashSet::new));
      return endedBefore.flatMapMany(ended -> {
        if (ended.size() == jobIds.size()) {
          return Flux.<FeedEvent>empty();
        }
        Flux<FeedEvent> history = after.isAfter(joinedAt)
            ? Flux.empty()
            : pages(after, from -> readModel.eventsOfJobs(jobIds, from, joinedAt, settings.pageSize()),
                RecordedEvent::position).map(FeedEvent::new);
        return history.concatWith(subscription.live()).takeUntil(event -> {
          RecordedEvent recorded = event.recorded();
          if (recorded.statusAfter().isTerminal()) {
            ended.add(recorded.jobId());
          } else {
            ended.remove(recorded.jobId());
          }
          return ended.size() == jobIds.size();
        });
      }).doFinally(signal -> unregister(subscription, byJob, jobIds));
    });
  }

  /** Asks for a read as soon as possible; wake-ups during a read make one more read after it. */
  void wake() {
    if (!running) {
      return;
    }
    if (!reading.compareAndSet(false, true)) {
      readAgain.set(true);
      return;
    }
    readAgain.set(false);
    readOnce()
        .onErrorResume(error -> {
          log.warn("Reading the event history failed, reading again at the next wake-up: {}", error.toString());
          return Mono.just(Boolean.FALSE);
        })
        .subscribe(heldBack -> {
          reading.set(false);
          if (readAgain.get()) {
            wake();
          } else if (heldBack) {
            // 5 ms, 10 ms, ... up to 128 times that: a long transaction is not polled for hundreds of times a second.
            int streak = Math.min(heldBackStreak.getAndIncrement(), MAX_HELD_BACK_DOUBLINGS);
            Mono.delay(settings.heldBackRetry().multipliedBy(1L << streak)).subscribe(tick -> wake());
          } else {
            heldBackStreak.set(0);
          }
        });
  }

  /** How many times the feed read the history: what an event costs, whatever the number of streams. */
  int reads() {
    return reads.get();
  }

  /** Open streams on this instance. */
  int subscriptions() {
    synchronized (lock) {
      return subscriptions;
    }
  }

  @Override
  public void start() {
    try {
      EventPosition head = readModel.head().block(START_TIMEOUT);
      synchronized (lock) {
        position = head == null ? EventPosition.START : head;
      }
    } catch (RuntimeException e) {
      log.warn("Could not read the latest event position at start-up; the feed starts from the beginning: {}",
          e.toString());
    }
    running = true;
    committed.listen(this::wake);
    wakeUps = Flux.merge(notifications.signals(), Flux.interval(settings.rereadInterval()))
        .subscribe(signal -> wake());
  }

  @Override
  public void stop() {
    running = false;
    Disposable current = wakeUps;
    if (current != null) {
      current.dispose();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /**
   * Reads pages of events after the feed's position until a short page and dispatches them.
   *
   * @return whether committed events were left unread because an older transaction still runs
   */
  private Mono<Boolean> readOnce() {
    EventPosition from;
    boolean anyone;
    synchronized (lock) {
      from = position;
      anyone = subscriptions > 0;
    }
    reads.incrementAndGet();
    if (!anyone) {
      return readModel.head().map(head -> {
        synchronized (lock) {
          // A stream that joined meanwhile reads its history only up to the old position: keep it.
          if (subscriptions == 0 && head.isAfter(position)) {
            position = head;
          }
        }
        return Boolean.FALSE;
      });
    }
    return readModel.tail(from, settings.pageSize()).flatMap(page -> {
      dispatch(page.events());
      return page.events().size() == settings.pageSize() ? readOnce() : Mono.just(page.heldBack());
    });
  }

  /**
   * Moves the feed's position over {@code events} and hands each to the streams registered for it
   * at that moment. Offers happen outside the lock (a stream's downstream may run in them), and
   * reads never overlap, so each stream gets its events in order from one thread at a time.
   */
  private void dispatch(List<RecordedEvent> events) {
    List<Delivery> deliveries = new ArrayList<>();
    synchronized (lock) {
      for (RecordedEvent recorded : events) {
        position = recorded.position();
        Set<Subscription> ofJob = byJob.get(recorded.jobId());
        Set<Subscription> ofProject = byProject.get(new ProjectKey(recorded.tenantId(), recorded.projectId()));
        if (ofJob == null && ofProject == null) {
          continue;
        }
        FeedEvent event = new FeedEvent(recorded);
        for (Set<Subscription> wanting : List.of(ofJob == null ? Set.<Subscription>of() : ofJob,
            ofProject == null ? Set.<Subscription>of() : ofProject)) {
          for (Subscription subscription : wanting) {
            deliveries.add(new Delivery(subscription, event));
          }
        }
      }
    }
    for (Delivery delivery : deliveries) {
      delivery.subscription().offer(delivery.event());
    }
  }

  /**
   * Registers the stream and returns the feed's position at that instant; the stream reads its
   * history up to there. The feed is woken, so a stream joining a feed that has not read for a
   * while gets its newest events without waiting for the next commit.
   */
  private <K> EventPosition register(Subscription subscription, Map<K, Set<Subscription>> index, K key) {
    return register(subscription, index, Set.of(key));
  }

  /** Registers one stream under several keys (the jobs of a batch) at one position. */
  private <K> EventPosition register(Subscription subscription, Map<K, Set<Subscription>> index, Set<K> keys) {
    EventPosition joinedAt;
    synchronized (lock) {
      for (K key : keys) {
        index.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(subscription);
      }
      subscriptions++;
      joinedAt = position;
    }
    wake();
    return joinedAt;
  }

  private <K> void unregister(Subscription subscription, Map<K, Set<Subscription>> index, K key) {
    unregister(subscription, index, Set.of(key));
  }

  private <K> void unregister(Subscription subscription, Map<K, Set<Subscription>> index, Set<K> keys) {
    synchronized (lock) {
      boolean removed = false;
      for (K key : keys) {
        Set<Subscription> registered = index.get(key);
        if (registered != null && registered.remove(subscription)) {
          removed = true;
          if (registered.isEmpty()) {
            index.remove(key);
          }
        }
      }
      if (removed) {
        subscriptions--;
      }
    }
  }

  /** Reads page after page of history after the cursor {@code after}, until a short page. */
  private <C> Flux<RecordedEvent> pages(
      C after, Function<C, Flux<RecordedEvent>> page, Function<RecordedEvent, C> cursorOf) {
    return page.apply(after).collectList().flatMapMany(rows -> {
      if (rows.isEmpty()) {
        return Flux.empty();
      }
      Flux<RecordedEvent> rest = rows.size() < settings.pageSize()
          ? Flux.empty()
          : Flux.defer(() -> pages(cursorOf.apply(rows.get(rows.size() - 1)), page, cursorOf));
      return Flux.fromIterable(rows).concatWith(rest);
    });
  }

  /**
   * An event as streams send it: the stored event, and its stream data rendered at most once
   * however many streams send it.
   */
  final class FeedEvent {
    private final RecordedEvent recorded;
    private volatile String data;

    FeedEvent(RecordedEvent recorded) {
      this.recorded = recorded;
    }

    RecordedEvent recorded() {
      return recorded;
    }

    String data() {
      String rendered = data;
      if (rendered == null) {
        rendered = render.apply(recorded);
        data = rendered;
      }
      return rendered;
    }
  }

  /**
   * One open stream: the events the feed dispatched for it, buffered until its history has been
   * sent. Offered by one read of the feed at a time.
   */
  private final class Subscription {
    private final Predicate<RecordedEvent> wanted;
    private final boolean endsWithJob;
    private final Sinks.Many<FeedEvent> sink = Sinks.many().unicast().onBackpressureBuffer(
        Queues.<FeedEvent>unbounded(16).get());
    private final AtomicInteger buffered = new AtomicInteger();
    private boolean closed;

    Subscription(Predicate<RecordedEvent> wanted, boolean endsWithJob) {
      this.wanted = wanted;
      this.endsWithJob = endsWithJob;
    }

    Flux<FeedEvent> live() {
      return sink.asFlux().doOnNext(event -> buffered.decrementAndGet());
    }

    void offer(FeedEvent event) {
      if (closed || !wanted.test(event.recorded())) {
        return;
      }
      if (buffered.incrementAndGet() > settings.maxBufferedEvents()) {
        // Ending the stream, not dropping an event: the client resumes from its last id.
        log.info("An event stream fell {} events behind and was ended; its client resumes from its last id",
            settings.maxBufferedEvents());
        closed = true;
        sink.tryEmitComplete();
        return;
      }
      sink.tryEmitNext(event);
      if (endsWithJob && event.recorded().statusAfter().isTerminal()) {
        closed = true;
        sink.tryEmitComplete();
      }
    }
  }

  private record ProjectKey(String tenantId, String projectId) {}

  private record Delivery(Subscription subscription, FeedEvent event) {}
}
