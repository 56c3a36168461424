package dev.imagejobs.generation.provider.nanobanana;

import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.nanobanana.NanoBananaSettings.ModelPrice;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Gemini prices per model, in US dollars per million tokens, and the cost of one answer from its
 * token counts: prompt tokens at the input rate, image tokens at the image rate, the other candidate
 * tokens and the thinking tokens at the text rate.
 */
final class PriceTable {
  /** Google's published paid-tier prices; configuration replaces them per model. */
  static final Map<String, ModelPrice> DEFAULTS = Map.of(
      "gemini-2.5-flash-image", price("0.30", "2.50", "30.00"),
      "gemini-3-pro-image-preview", price("2.00", "12.00", "120.00"));

  private final Map<String, ModelPrice> prices;

  /** The defaults with {@code configured} entries added or replacing them. */
  PriceTable(Map<String, ModelPrice> configured) {
    Map<String, ModelPrice> merged = new HashMap<>(DEFAULTS);
    merged.putAll(configured);
    this.prices = Map.copyOf(merged);
  }

  Optional<ModelPrice> priceOf(String model) {
    return Optional.ofNullable(prices.get(model));
  }

  /**
   * The usage to record for an answer of {@code model}; its cost is zero when the model has no price
   * (the caller warns). Since prices are per million tokens and costs in millionths of a dollar,
   * tokens times the price is the cost in micro-USD; it is rounded half up once, at the end.
   */
  ProviderUsage usage(String model, TokenCounts tokens) {
    long costMicros = priceOf(model).map(price -> costMicros(price, tokens)).orElse(0L);
    return new ProviderUsage(tokens.promptTokens(), tokens.textTokens(), tokens.thoughtsTokens(),
        tokens.imageTokens(), costMicros);
  }

  static long costMicros(ModelPrice price, TokenCounts tokens) {
    BigDecimal cost = price.input().multiply(BigDecimal.valueOf(tokens.promptTokens()))
        .add(price.textOutput().multiply(BigDecimal.valueOf(tokens.textTokens() + tokens.thoughtsTokens())))
        .add(price.imageOutput().multiply(BigDecimal.valueOf(tokens.imageTokens())));
    return cost.setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static ModelPrice price(String input, String textOutput, String imageOutput) {
    return new ModelPrice(new BigDecimal(input), new BigDecimal(textOutput), new BigDecimal(imageOutput));
  }
}
