package dev.imagejobs.generation.testing;

import dev.imagejobs.generation.provider.GenerationRequest;
import dev.imagejobs.generation.provider.ImageArtifact;
import dev.imagejobs.generation.provider.ImageProvider;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider that counts its calls per job and lets another provider answer them. */
public final class CountingProvider implements ImageProvider {
  private final String name;
  private final ImageProvider delegate;
  private final Map<String, AtomicInteger> callsByJob = new ConcurrentHashMap<>();

  public CountingProvider(String name, ImageProvider delegate) {
    this.name = name;
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ImageArtifact> generate(GenerationRequest request) {
    callsByJob.computeIfAbsent(request.jobId(), job -> new AtomicInteger()).incrementAndGet();
    return delegate.generate(request);
  }

  public int callsFor(String jobId) {
    AtomicInteger calls = callsByJob.get(jobId);
    return calls == null ? 0 : calls.get();
  }

  public int calls() {
    return callsByJob.values().stream().mapToInt(AtomicInteger::get).sum();
  }
}
