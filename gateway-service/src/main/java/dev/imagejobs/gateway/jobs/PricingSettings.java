package dev.imagejobs.gateway.jobs;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The price table of the cost estimate, in millionths of a US dollar per image.
 *
 * @param defaultMicrosPerImage price of a model missing from {@code models}
 * @param models prices by model id (bind keys containing dots as {@code "[gemini-2.5-flash-image]"})
 */
@ConfigurationProperties("imagejobs.pricing")
record PricingSettings(@DefaultValue("0") long defaultMicrosPerImage, Map<String, ModelPrice> models) {

  PricingSettings {
    models = models == null ? Map.of() : Map.copyOf(models);
    if (defaultMicrosPerImage < 0) {
      throw new IllegalArgumentException("imagejobs.pricing.default-micros-per-image must not be negative");
    }
  }

  /**
   * One model's prices.
   *
   * @param microsPerImage price of an image whose size is not in {@code sizes}, or has no size
   * @param sizes price by image size class ({@code 1K}, {@code 2K}, {@code 4K})
   * @param microsPerReferenceImage what each reference image sent with the prompt adds (its input tokens)
   */
  record ModelPrice(long microsPerImage, Map<String, Long> sizes, long microsPerReferenceImage) {
    ModelPrice {
      sizes = sizes == null ? Map.of() : Map.copyOf(sizes);
      if (microsPerImage < 0 || microsPerReferenceImage < 0 || sizes.values().stream().anyMatch(price -> price < 0)) {
        throw new IllegalArgumentException("prices must not be negative");
      }
    }
  }
}
