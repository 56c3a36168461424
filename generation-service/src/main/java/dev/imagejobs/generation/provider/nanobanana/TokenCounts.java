package dev.imagejobs.generation.provider.nanobanana;

import tools.jackson.databind.JsonNode;

/**
 * The token counts of one Gemini answer, from its {@code usageMetadata}.
 *
 * @param promptTokens {@code promptTokenCount}
 * @param candidateTokens {@code candidatesTokenCount}: text and image output, thinking excluded
 * @param imageTokens the part of {@code candidateTokens} with modality IMAGE
 * @param thoughtsTokens {@code thoughtsTokenCount}
 */
record TokenCounts(long promptTokens, long candidateTokens, long imageTokens, long thoughtsTokens) {
  static final TokenCounts NONE = new TokenCounts(0, 0, 0, 0);

  TokenCounts {
    if (promptTokens < 0 || candidateTokens < 0 || imageTokens < 0 || thoughtsTokens < 0) {
      throw new IllegalArgumentException("Token counts must not be negative");
    }
  }

  /** Text output tokens: the candidates' tokens that are not image tokens. */
  long textTokens() {
    return Math.max(0, candidateTokens - imageTokens);
  }

  /**
   * Reads {@code usageMetadata}; absent counts are zero. When {@code candidatesTokensDetails} is
   * missing all candidate tokens count as text, which is the cheaper rate: the cost is then a lower
   * bound.
   */
  static TokenCounts from(JsonNode usageMetadata) {
    if (usageMetadata == null || !usageMetadata.isObject()) {
      return NONE;
    }
    long image = 0;
    long detailed = 0;
    for (JsonNode detail : usageMetadata.path("candidatesTokensDetails")) {
      long count = count(detail.path("tokenCount"));
      detailed += count;
      if ("IMAGE".equals(detail.path("modality").asString(""))) {
        image += count;
      }
    }
    JsonNode candidates = usageMetadata.path("candidatesTokenCount");
    return new TokenCounts(
        count(usageMetadata.path("promptTokenCount")),
        candidates.isNumber() ? count(candidates) : detailed,
        image,
        count(usageMetadata.path("thoughtsTokenCount")));
  }

  private static long count(JsonNode node) {
    return node.isNumber() ? Math.max(0, node.asLong()) : 0;
  }
}
