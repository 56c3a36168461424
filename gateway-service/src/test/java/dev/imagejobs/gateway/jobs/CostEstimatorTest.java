package dev.imagejobs.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CostEstimatorTest {

  private final CostEstimator estimator = new CostEstimator(new PricingSettings(5, Map.of(
      "local-v1", new PricingSettings.ModelPrice(0, Map.of(), 0),
      "gemini-2.5-flash-image", new PricingSettings.ModelPrice(39_000, Map.of("1K", 39_000L, "2K", 39_000L), 310),
      "sized", new PricingSettings.ModelPrice(100, Map.of("4K", 400L), 0))));

  @Test
  void givenTheLocalModelThenImagesAreFree() {
    assertThat(estimator.estimateMicros("local-v1", "1K", 0)).isZero();
    assertThat(estimator.estimateMicros("local-v1", null, 0)).isZero();
  }

  @Test
  void givenGeminiFlashImageThenAnImageCosts39000Micros() {
    assertThat(estimator.estimateMicros("gemini-2.5-flash-image", "1K", 0)).isEqualTo(39_000);
    assertThat(estimator.estimateMicros("gemini-2.5-flash-image", "2K", 0)).isEqualTo(39_000);
    assertThat(estimator.estimateMicros("gemini-2.5-flash-image", "1K", 3)).as("three reference images' input")
        .isEqualTo(39_000 + 3 * 310);
  }

  @Test
  void givenSizeWithItsOwnPriceThenThatPriceIsUsedElseTheModelPrice() {
    assertThat(estimator.estimateMicros("sized", "4K", 0)).isEqualTo(400);
    assertThat(estimator.estimateMicros("sized", "1K", 0)).isEqualTo(100);
    assertThat(estimator.estimateMicros("sized", null, 0)).isEqualTo(100);
  }

  @Test
  void givenUnknownModelThenTheDefaultPriceIsUsed() {
    assertThat(estimator.estimateMicros("some-new-model", "1K", 0)).isEqualTo(5);
  }
}
