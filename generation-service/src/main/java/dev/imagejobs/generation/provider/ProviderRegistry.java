package dev.imagejobs.generation.provider;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The providers this instance has, by the name jobs select them with. */
public class ProviderRegistry {
  private final Map<String, ImageProvider> byName = new TreeMap<>();

  public ProviderRegistry(List<ImageProvider> providers) {
    for (ImageProvider provider : providers) {
      if (byName.putIfAbsent(provider.name(), provider) != null) {
        throw new IllegalArgumentException("Two image providers are named '" + provider.name() + "'");
      }
    }
  }

  /** The client-side cap of calls per minute of each provider that has one, by name. */
  public Map<String, Integer> requestsPerMinute() {
    Map<String, Integer> caps = new TreeMap<>();
    byName.forEach((name, provider) -> {
      if (provider.requestsPerMinute() > 0) {
        caps.put(name, provider.requestsPerMinute());
      }
    });
    return caps;
  }

  /**
   * The provider named {@code name}.
   *
   * @throws ProviderException PERMANENT, code {@code UNKNOWN_PROVIDER}, when none has that name
   */
  public ImageProvider get(String name) {
    ImageProvider provider = byName.get(name);
    if (provider == null) {
      throw new ProviderException(ErrorClass.PERMANENT, "UNKNOWN_PROVIDER",
          "Provider '" + name + "' is not configured on this generation service; configured: " + byName.keySet());
    }
    return provider;
  }
}
