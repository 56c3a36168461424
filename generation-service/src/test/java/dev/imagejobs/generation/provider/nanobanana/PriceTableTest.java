package dev.imagejobs.generation.provider.nanobanana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagejobs.generation.provider.ProviderUsage;
import dev.imagejobs.generation.provider.nanobanana.NanoBananaSettings.ModelPrice;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceTableTest {
  private final PriceTable defaults = new PriceTable(Map.of());

  @Test
  void givenOneFlashImage_thenItCostsAbout39Thousandths() {
    // 1290 image tokens at $30 per million is Google's "$0.039 per image".
    TokenCounts tokens = new TokenCounts(0, 1290, 1290, 0);

    assertThat(defaults.usage("gemini-2.5-flash-image", tokens).costMicros()).isEqualTo(38_700);
  }

  @Test
  void givenEveryKindOfToken_thenEachIsChargedAtItsRate() {
    // prompt 1000 x 0.30 = 300; text (1400 - 1290 = 110) + thinking 200 = 310 x 2.50 = 775; image 1290 x 30 = 38700
    TokenCounts tokens = new TokenCounts(1000, 1400, 1290, 200);

    ProviderUsage usage = defaults.usage("gemini-2.5-flash-image", tokens);

    assertThat(usage).isEqualTo(new ProviderUsage(1000, 110, 200, 1290, 300 + 775 + 38_700));
  }

  @Test
  void givenTheProModel_thenItsOwnRatesApply() {
    // prompt 500 x 2 = 1000; text (1210 - 1120 = 90) + thinking 100 = 190 x 12 = 2280; image 1120 x 120 = 134400
    TokenCounts tokens = new TokenCounts(500, 1210, 1120, 100);

    assertThat(defaults.usage("gemini-3-pro-image-preview", tokens).costMicros()).isEqualTo(1000 + 2280 + 134_400);
  }

  @Test
  void givenFractionsOfAMicroDollar_thenTheTotalIsRoundedHalfUpOnce() {
    // 3 x 0.30 = 0.9 and 1 x 2.50 = 2.5: rounding each would give 1 + 3 = 4, the total 3.4 rounds to 3.
    assertThat(defaults.usage("gemini-2.5-flash-image", new TokenCounts(3, 1, 0, 0)).costMicros()).isEqualTo(3);
    // 5 x 0.30 = 1.5 rounds up to 2.
    assertThat(defaults.usage("gemini-2.5-flash-image", new TokenCounts(5, 0, 0, 0)).costMicros()).isEqualTo(2);
  }

  @Test
  void givenAConfiguredPrice_thenItReplacesTheDefaultForThatModelOnly() {
    PriceTable table = new PriceTable(Map.of("gemini-2.5-flash-image", price("1", "1", "1")));
    TokenCounts tokens = new TokenCounts(10, 20, 15, 5);

    assertThat(table.usage("gemini-2.5-flash-image", tokens).costMicros()).isEqualTo(10 + 5 + 5 + 15);
    assertThat(table.usage("gemini-3-pro-image-preview", tokens).costMicros())
        .isEqualTo(defaults.usage("gemini-3-pro-image-preview", tokens).costMicros());
  }

  @Test
  void givenAConfiguredNewModel_thenItIsPriced() {
    PriceTable table = new PriceTable(Map.of("gemini-next-image", price("0.10", "0.20", "0.30")));

    assertThat(table.usage("gemini-next-image", new TokenCounts(10, 10, 10, 0)).costMicros()).isEqualTo(1 + 3);
  }

  @Test
  void givenAnUnknownModel_thenTokensAreCountedButTheCostIsZero() {
    ProviderUsage usage = defaults.usage("imagen-99", new TokenCounts(10, 1300, 1290, 0));

    assertThat(usage).isEqualTo(new ProviderUsage(10, 10, 0, 1290, 0));
    assertThat(defaults.priceOf("imagen-99")).isEmpty();
  }

  @Test
  void givenNoTokens_thenTheCostIsZero() {
    assertThat(defaults.usage("gemini-2.5-flash-image", TokenCounts.NONE)).isEqualTo(ProviderUsage.NONE);
  }

  @Test
  void givenUsageMetadata_thenImageTokensAreTakenFromTheModalityDetails() {
    String json = """
        {"promptTokenCount": 12, "candidatesTokenCount": 1299, "thoughtsTokenCount": 40, "totalTokenCount": 1351,
         "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 9},
                                     {"modality": "IMAGE", "tokenCount": 1290}]}""";

    TokenCounts tokens = TokenCounts.from(GeminiResponses.JSON.readTree(json));

    assertThat(tokens).isEqualTo(new TokenCounts(12, 1299, 1290, 40));
    assertThat(tokens.textTokens()).isEqualTo(9);
  }

  @Test
  void givenUsageMetadataWithoutDetails_thenAllCandidateTokensCountAsText() {
    TokenCounts tokens = TokenCounts.from(GeminiResponses.JSON.readTree(
        "{\"promptTokenCount\": 5, \"candidatesTokenCount\": 1300}"));

    assertThat(tokens).isEqualTo(new TokenCounts(5, 1300, 0, 0));
  }

  @Test
  void givenDetailsWithoutATotal_thenTheDetailsAreSummed() {
    TokenCounts tokens = TokenCounts.from(GeminiResponses.JSON.readTree(
        "{\"candidatesTokensDetails\": [{\"modality\": \"IMAGE\", \"tokenCount\": 1290}, {\"modality\": \"TEXT\"}]}"));

    assertThat(tokens).isEqualTo(new TokenCounts(0, 1290, 1290, 0));
  }

  @Test
  void givenNoUsageMetadata_thenThereAreNoTokens() {
    assertThat(TokenCounts.from(GeminiResponses.JSON.readTree("{}").path("usageMetadata"))).isEqualTo(TokenCounts.NONE);
  }

  @Test
  void givenAPriceWithAMissingOrNegativeRate_thenItIsRejected() {
    assertThatThrownBy(() -> new ModelPrice(null, BigDecimal.ONE, BigDecimal.ONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input");
    assertThatThrownBy(() -> price("1", "-1", "1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text-output");
  }

  private static ModelPrice price(String input, String text, String image) {
    return new ModelPrice(new BigDecimal(input), new BigDecimal(text), new BigDecimal(image));
  }
}
