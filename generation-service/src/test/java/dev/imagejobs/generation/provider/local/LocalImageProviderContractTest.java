package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.ImageProvider;
import dev.imagejobs.generation.provider.ImageProviderContractTest;
import java.time.Duration;

/** The provider contract, run against the local provider with its fail marker as the refusal. */
class LocalImageProviderContractTest extends ImageProviderContractTest {

  @Override
  protected ImageProvider provider() {
    return providerAnsweringAfter(Duration.ZERO);
  }

  @Override
  protected ImageProvider providerAnsweringAfter(Duration latency) {
    return new LocalImageProvider(new LocalProviderSettings(REFUSED_MARKER, latency, 0, 256));
  }

  @Override
  protected String model() {
    return "local-v1";
  }
}
