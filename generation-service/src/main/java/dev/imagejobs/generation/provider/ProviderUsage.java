package dev.imagejobs.generation.provider;

/**
 * Tokens a provider billed for one call and what they cost.
 *
 * @param inputTokens prompt tokens
 * @param outputTokens text output tokens
 * @param thinkingTokens reasoning tokens
 * @param imageTokens image output tokens
 * @param costMicros the call's cost in millionths of a US dollar
 */
public record ProviderUsage(long inputTokens, long outputTokens, long thinkingTokens, long imageTokens, long costMicros) {
  public static final ProviderUsage NONE = new ProviderUsage(0, 0, 0, 0, 0);
}
