package dev.imagejobs.generation.jobs;

import dev.imagejobs.outbound.OutboundUrlPolicy;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the generation service runs jobs ({@code imagejobs.generation.*}).
 *
 * @param maxInFlight jobs running at once on this instance, whatever the partition count
 * @param providerTimeout how long one provider call may take before the attempt fails with TIMEOUT
 * @param maxImageSize largest artifact accepted when a provider answers with a URL to download
 * @param retry when failed provider attempts are tried again
 * @param drainTimeout how long running jobs may finish when partitions move or the service stops
 * @param maxRedeliveries times a job is run again after its events could not be published, before
 *     its record is dead-lettered
 * @param redeliveryDelay pause before such a run
 * @param downloads which URLs a provider may point the service at for its images
 * @param priorities how far the service reads ahead of its free slots to start higher priorities first
 * @param references how much memory the jobs' reference images may take
 */
@ConfigurationProperties("imagejobs.generation")
record GenerationSettings(
    @DefaultValue("32") int maxInFlight,
    @DefaultValue("120s") Duration providerTimeout,
    @DefaultValue("20MB") DataSize maxImageSize,
    @DefaultValue Retry retry,
    @DefaultValue("60s") Duration drainTimeout,
    @DefaultValue("5") int maxRedeliveries,
    @DefaultValue("5s") Duration redeliveryDelay,
    @DefaultValue Downloads downloads,
    @DefaultValue Priorities priorities,
    @DefaultValue References references) {

  GenerationSettings {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("imagejobs.generation.max-in-flight must be at least 1");
    }
    if (providerTimeout.isNegative() || providerTimeout.isZero()) {
      throw new IllegalArgumentException("imagejobs.generation.provider-timeout must be positive");
    }
  }

  /**
   * Reference images sent to the provider with the prompt ({@code imagejobs.generation.references.*}).
   *
   * @param maxBytesInMemory the most bytes of reference images this instance holds at once, over all
   *     jobs in flight (env {@code IMAGEJOBS_GENERATION_REFERENCES_MAX_BYTES_IN_MEMORY}): a run waits,
   *     without a thread, until its images fit, holds them during its provider call and releases them
   *     when the call ends; a job whose images alone take more fails PERMANENT. Leave heap beyond it:
   *     a provider may hold them again in another form while it sends them (Nano Banana's request
   *     body, base64, takes a third more than the images until the call ends)
   */
  record References(@DefaultValue("64MB") DataSize maxBytesInMemory) {
    References {
      if (maxBytesInMemory == null || maxBytesInMemory.toBytes() < 1) {
        throw new IllegalArgumentException("imagejobs.generation.references.max-bytes-in-memory must be positive");
      }
    }
  }

  /**
   * Ranking of waiting jobs ({@code imagejobs.generation.priorities.*}).
   *
   * @param readAhead job requests read beyond the free slots and ranked; 0 starts jobs in topic order
   * @param agingStep how long a waiting job takes to rise one priority level
   */
  record Priorities(@DefaultValue("1000") int readAhead, @DefaultValue("60s") Duration agingStep) {
    Priorities {
      if (readAhead < 0) {
        throw new IllegalArgumentException("imagejobs.generation.priorities.read-ahead must not be negative");
      }
      if (agingStep.isNegative() || agingStep.isZero()) {
        throw new IllegalArgumentException("imagejobs.generation.priorities.aging-step must be positive");
      }
    }
  }

  /**
   * Where image URLs returned by a provider may be fetched from ({@code imagejobs.generation.downloads.*}):
   * HTTPS on public addresses only, unless relaxed here; see {@link OutboundUrlPolicy}.
   *
   * @param allowHttp whether plain http is accepted for any host (hosts in {@code allowedHosts} may always use it)
   * @param allowedHosts the only hosts downloads may come from, compared case-insensitively; empty for any host
   * @param allowPrivateAddresses whether hosts may resolve to loopback, private and other internal addresses
   */
  record Downloads(
      @DefaultValue("false") boolean allowHttp,
      Set<String> allowedHosts,
      @DefaultValue("false") boolean allowPrivateAddresses) {

    Downloads {
      allowedHosts = allowedHosts == null ? Set.of() : Set.copyOf(allowedHosts);
    }

    OutboundUrlPolicy policy() {
      return new OutboundUrlPolicy("artifact URL", allowHttp, allowedHosts, allowPrivateAddresses);
    }
  }

  /**
   * The retry schedule ({@code imagejobs.generation.retry.*}); see {@link RetryPolicy}.
   *
   * @param maxRetries attempts after the first; 0 disables retries
   * @param initialDelay wait before the first retry
   * @param multiplier growth of the wait per retry
   * @param maxDelay cap of the computed wait
   * @param jitter share of the wait that is random, from 0 (none) to 1
   * @param maxProviderDelay the longest wait a provider may ask for (Retry-After); beyond it the job fails instead
   */
  record Retry(
      @DefaultValue("3") int maxRetries,
      @DefaultValue("1s") Duration initialDelay,
      @DefaultValue("2") double multiplier,
      @DefaultValue("10s") Duration maxDelay,
      @DefaultValue("0.2") double jitter,
      @DefaultValue("60s") Duration maxProviderDelay) {

    RetryPolicy policy() {
      return new RetryPolicy(maxRetries, initialDelay, multiplier, maxDelay, jitter, maxProviderDelay);
    }
  }
}
