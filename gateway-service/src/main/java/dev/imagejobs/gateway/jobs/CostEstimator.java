package dev.imagejobs.gateway.jobs;

import org.springframework.stereotype.Component;

/** Estimates what a job will cost from the price table, at request time. */
@Component
class CostEstimator {
  private final PricingSettings pricing;

  CostEstimator(PricingSettings pricing) {
    this.pricing = pricing;
  }

  /**
   * Micro-dollars for one image of {@code model} at {@code imageSize} (may be {@code null}) with
   * {@code references} reference images.
   */
  long estimateMicros(String model, String imageSize, int references) {
    PricingSettings.ModelPrice price = pricing.models().get(model);
    if (price == null) {
      return pricing.defaultMicrosPerImage();
    }
    Long bySize = imageSize == null ? null : price.sizes().get(imageSize);
    return (bySize != null ? bySize : price.microsPerImage()) + references * price.microsPerReferenceImage();
  }
}
