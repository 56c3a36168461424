package dev.imagejobs.generation.provider;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The providers this instance has, by name. */
public class ProviderRegistry {
  private final Map<String, ImageProvider> byName;

  public ProviderRegistry(List<ImageProvider> providers) {
    this.byName = providers.stream().collect(Collectors.toUnmodifiableMap(ImageProvider::name, Function.identity()));
  }

  /**
   * @throws ProviderException PERMANENT when no provider of that name is configured
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
