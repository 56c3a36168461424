package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ErrorClass;
import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ProviderException;
import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.ReferenceInput;
import dev.imagejobs.messaging.Later;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Draws a deterministic PNG from the prompt at the requested aspect ratio, with the request's
 * reference images as a strip of thumbnails along its top edge: free, offline, and the default of
 * the local stack. An edit is drawn as its source image with the instruction painted over it inside
 * the mask ({@link EditPainter}), at the provider's own size for the aspect ratio like any picture. Its knobs inject latency and failures to exercise the job pipeline;
 * in {@link LocalProviderSettings.Mode#PRERENDERED} mode it returns one picture per size, drawn
 * once, so that load tests measure the pipeline rather than the painter.
 */
public class LocalImageProvider implements ImageProvider {
  public static final String NAME = "local";
  static final String CONTENT_TYPE = "image/png";

  private final LocalProviderSettings settings;
  private final Executor painter;
  /** Prerendered pictures by width and height; shared by every job, so never modified. */
  private final Map<List<Integer>, CompletableFuture<byte[]>> prerendered = new ConcurrentHashMap<>();
  /** Where calls are recorded, when configured. */
  private final CallLog calls;

  public LocalImageProvider(LocalProviderSettings settings) {
    this.settings = settings;
    this.painter = painterThreads();
    this.calls = settings.callLog() == null ? null : new CallLog(settings.callLog());
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Paints on the provider's own threads, one per core (the work is CPU-bound and short); the
   * configured latency is a timer, like a network wait, so a slow local provider holds no thread
   * while jobs wait. A prerendered picture without latency is answered on the caller's thread.
   */
  @Override
  public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
    if (calls == null) {
      return answer(request);
    }
    calls.started(request);
    return answer(request).whenComplete((artifact, failure) -> calls.ended(request, failure == null));
  }

  private CompletableFuture<ImageArtifact> answer(GenerationRequest request) {
    // An edit is always drawn: its picture depends on its source image, so there is nothing to prerender.
    boolean prerender = settings.mode() == LocalProviderSettings.Mode.PRERENDERED && !request.isEdit();
    if (prerender && settings.latency().isZero()) {
      try {
        return prerendered(request);
      } catch (ProviderException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    Executor when = Later.after(settings.latency(), painter);
    if (prerender) {
      return CompletableFuture.supplyAsync(() -> request, when).thenCompose(this::prerendered);
    }
    return CompletableFuture.supplyAsync(() -> draw(request), when);
  }

  private ImageArtifact draw(GenerationRequest request) {
    refuseIfAsked(request);
    int[] size = dimensions(request.aspectRatio(), settings.longSide());
    if (request.isEdit()) {
      List<ReferenceInput> others = request.references().subList(1, request.references().size());
      return artifact(EditPainter.paint(request.prompt(), size[0], size[1], request.edit(), others));
    }
    return artifact(PromptPainter.paint(request.prompt(), request.variant(), size[0], size[1], request.references()));
  }

  /**
   * The picture of the request's size and variant, drawn by the first request of that size and
   * variant; with the request's reference images drawn on a copy of it, when it has any.
   */
  private CompletableFuture<ImageArtifact> prerendered(GenerationRequest request) {
    refuseIfAsked(request);
    int[] size = dimensions(request.aspectRatio(), settings.longSide());
    CompletableFuture<byte[]> picture = prerendered.computeIfAbsent(List.of(size[0], size[1], request.variant()),
        key -> CompletableFuture.supplyAsync(() -> PromptPainter.paint("Prerendered " + key.get(0) + "x" + key.get(1),
            key.get(2), key.get(0), key.get(1), List.of()), painter));
    if (request.references().isEmpty()) {
      return picture.thenApply(LocalImageProvider::artifact);
    }
    return picture.thenApplyAsync(png -> artifact(ReferenceStrip.onto(png, request.references())), painter);
  }

  /** Fails the call when the prompt carries the fail marker or the failure rate strikes. */
  private void refuseIfAsked(GenerationRequest request) {
    if (!settings.failMarker().isEmpty() && request.prompt().contains(settings.failMarker())) {
      throw new ProviderException(ErrorClass.PERMANENT, "LOCAL_FAIL_MARKER",
          "The prompt contains the configured failure marker '" + settings.failMarker() + "'");
    }
    if (settings.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < settings.failureRate()) {
      throw new ProviderException(ErrorClass.TEMPORARY, "LOCAL_INJECTED_FAILURE",
          "Injected failure (imagejobs.providers.local.failure-rate = " + settings.failureRate() + ")");
    }
  }

  private static ImageArtifact artifact(byte[] png) {
    return new ImageArtifact.Bytes(png, CONTENT_TYPE, null, ProviderUsage.NONE);
  }

  /**
   * One thread per core, started when needed and gone when idle. CompletableFuture's default pool
   * is no substitute: on two cores it starts a new thread for every task.
   */
  private static Executor painterThreads() {
    int threads = Runtime.getRuntime().availableProcessors();
    AtomicInteger created = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "local-painter-" + created.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Width and height for {@code ratio} ("W:H") with the longer side at {@code longSide} pixels. */
  static int[] dimensions(String ratio, int longSide) {
    String[] parts = ratio == null ? new String[0] : ratio.split(":");
    if (parts.length != 2) {
      throw invalidRatio(ratio);
    }
    int w;
    int h;
    try {
      w = Integer.parseInt(parts[0].trim());
      h = Integer.parseInt(parts[1].trim());
    } catch (NumberFormatException e) {
      throw invalidRatio(ratio);
    }
    if (w <= 0 || h <= 0) {
      throw invalidRatio(ratio);
    }
    return w >= h
        ? new int[] {longSide, Math.max(1, Math.round(longSide * (float) h / w))}
        : new int[] {Math.max(1, Math.round(longSide * (float) w / h)), longSide};
  }

  private static ProviderException invalidRatio(String ratio) {
    return new ProviderException(ErrorClass.PERMANENT, "INVALID_ASPECT_RATIO",
        "Aspect ratio must be two positive whole numbers W:H, got '" + ratio + "'");
  }
}
